"""Drop-in compatibility layers for other CLV libraries (thin wrappers over the engine)."""
