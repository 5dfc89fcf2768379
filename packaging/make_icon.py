"""Draw the application icon (``packaging/denoscope.png``, 256×256) reproducibly.

Also written to ``resources/icons/denoscope.png`` for the viewer's window icon.

A dark rounded tile with a disc whose left half is noisy and right half clean:
the product in one picture. Run: ``.venv/bin/python packaging/make_icon.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SIZE = 256


def draw_icon(size: int = SIZE, *, seed: int = 7) -> Image.Image:
    """Return the icon as an RGBA image of ``size``×``size`` pixels."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1)
    radius = np.hypot(rows - 0.5, cols - 0.5)
    shading = np.clip(1.0 - radius / 0.42, 0.0, 1.0) ** 0.6  # bright centre, like a slice
    noisy = np.clip(shading + rng.normal(0.0, 0.22, shading.shape), 0.0, 1.0)
    grey = np.where(cols < 0.5, noisy, shading)
    inside = radius <= 0.40
    tile = np.zeros((size, size, 4), np.uint8)
    tile[..., :3] = (22, 27, 34)
    disc = (grey * 255).astype(np.uint8)
    tile[inside, 0] = disc[inside]
    tile[inside, 1] = disc[inside]
    tile[inside, 2] = np.clip(disc[inside].astype(int) + 20, 0, 255)
    image = Image.fromarray(tile, "RGBA")
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=255)
    image.putalpha(mask)
    draw = ImageDraw.Draw(image)
    draw.line(
        (size // 2, int(size * 0.08), size // 2, int(size * 0.92)),
        fill=(79, 195, 247, 255),
        width=max(2, size // 64),
    )
    return image


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    # One icon, two homes: the desktop entry's, and the viewer's window icon (package data).
    for target in (here / "denoscope.png", here.parent / "resources" / "icons" / "denoscope.png"):
        target.parent.mkdir(parents=True, exist_ok=True)
        draw_icon().save(target)
        print(target)
