"""The app's pages, one per step: start, check, settings, results, export."""
