"""Draw the CLV Toolkit app icon (three value tiers as bars) and write it for each OS.

    python installer/icons/make_icons.py   # -> clv_toolkit.png / .ico (Windows) / .icns (macOS)

The files are committed; run this only to change the icon. Needs Pillow.
"""
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = 1024
BACKGROUND = (27, 94, 32, 255)  # the app's "High" tier green
BARS = [(200, (224, 224, 224, 255)), (360, (249, 168, 37, 255)), (560, (255, 255, 255, 255))]
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw_icon() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin, baseline, bar_width, gap = 64, 800, 170, 60
    draw.rounded_rectangle([margin, margin, SIZE - margin, SIZE - margin], radius=180, fill=BACKGROUND)
    left = (SIZE - (3 * bar_width + 2 * gap)) // 2
    for index, (height, colour) in enumerate(BARS):
        x = left + index * (bar_width + gap)
        draw.rounded_rectangle([x, baseline - height, x + bar_width, baseline], radius=24, fill=colour)
    right = left + 3 * bar_width + 2 * gap
    draw.rounded_rectangle([left - 40, baseline + 10, right + 40, baseline + 40], radius=12, fill=BARS[2][1])
    return image


def main() -> None:
    image = draw_icon()
    image.save(HERE / "clv_toolkit.png")
    image.save(HERE / "clv_toolkit.ico", sizes=ICO_SIZES)
    image.resize((512, 512), Image.LANCZOS).save(HERE / "clv_toolkit.icns")


if __name__ == "__main__":
    main()
