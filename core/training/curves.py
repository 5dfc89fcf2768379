"""Per-epoch history: a CSV and a loss-curve PNG (training and validation loss per epoch).

The figure follows the reports' "Loss over epochs" plot: two lines, epochs on
x, loss on y. It is drawn with Pillow, so no plotting library is needed.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

COLUMNS: tuple[str, ...] = (
    "epoch",
    "train_loss",
    "val_loss",
    "val_psnr",
    "lr",
    "seconds",
)


def _save_png(img: Image.Image, path: str | Path) -> None:
    """Write a PIL image as PNG atomically (temporary file, fsync, rename)."""
    from denoscope.core.io.outputs import write_bytes

    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    write_bytes(path, buffer.getvalue(), overwrite=True)


def write_history_csv(history: Sequence[dict[str, Any]], path: str | Path) -> None:
    """Write one row per epoch (columns :data:`COLUMNS` plus any per-setting PSNR)."""
    from denoscope.core.io.outputs import write_text

    extra = sorted({k for row in history for k in row} - set(COLUMNS))
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, *extra])
    writer.writeheader()
    for row in history:
        writer.writerow({k: row.get(k, "") for k in (*COLUMNS, *extra)})
    write_text(path, buffer.getvalue(), overwrite=True)


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1e-12 + abs(lo) * 0.1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 1)]


def plot_loss_curve(
    history: Sequence[dict[str, Any]],
    path: str | Path,
    *,
    title: str = "Loss over epochs",
    size: tuple[int, int] = (800, 500),
) -> None:
    """Draw training and validation loss against epoch into a PNG.

    Parameters
    ----------
    history : sequence of dict
        Rows with ``epoch``, ``train_loss`` and ``val_loss``.
    path : str or Path
        The PNG to write.
    title : str, optional
        Title above the plot.
    size : tuple of int, optional
        (width, height) in pixels.
    """
    width, height = size
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    left, right, top, bottom = 80, width - 20, 40, height - 60
    series = [
        ("training loss", "train_loss", (31, 119, 180)),
        ("validation loss", "val_loss", (255, 127, 14)),
    ]
    epochs = [float(r["epoch"]) for r in history]
    values = [float(r[k]) for r in history for _, k, _ in series if r.get(k) not in (None, "")]
    draw.text((left, 12), title, fill="black", font=font)
    draw.rectangle([left, top, right, bottom], outline="black")
    if not epochs or not values:
        _save_png(img, path)
        return
    x0, x1 = min(epochs), max(max(epochs), min(epochs) + 1)
    y0, y1 = min(values), max(values)
    pad = (y1 - y0) * 0.05 or abs(y1) * 0.05 or 1e-3
    y0, y1 = y0 - pad, y1 + pad

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (
            left + (x - x0) / (x1 - x0) * (right - left),
            bottom - (y - y0) / (y1 - y0) * (bottom - top),
        )

    for t in _ticks(y0, y1):
        _, py = to_px(x0, t)
        draw.line([left - 5, py, left, py], fill="black")
        draw.line([left, py, right, py], fill=(230, 230, 230))
        draw.text((8, py - 6), f"{t:.4g}", fill="black", font=font)
    for t in _ticks(x0, x1):
        px, _ = to_px(t, y0)
        draw.line([px, bottom, px, bottom + 5], fill="black")
        draw.text((px - 8, bottom + 8), f"{t:g}", fill="black", font=font)
    draw.text(((left + right) // 2 - 20, bottom + 28), "epoch", fill="black", font=font)
    draw.text((8, top - 24), "loss", fill="black", font=font)
    for i, (label, key, colour) in enumerate(series):
        pts = [
            to_px(float(r["epoch"]), float(r[key])) for r in history if r.get(key) not in (None, "")
        ]
        if len(pts) > 1:
            draw.line(pts, fill=colour, width=2)
        for px, py in pts:
            draw.ellipse([px - 2, py - 2, px + 2, py + 2], fill=colour)
        lx, ly = right - 150, top + 10 + 18 * i
        draw.line([lx, ly + 6, lx + 24, ly + 6], fill=colour, width=3)
        draw.text((lx + 30, ly), label, fill="black", font=font)
    _save_png(img, path)
