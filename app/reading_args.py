"""``denoscope view`` options of the reading room: window size, layout, ROIs.

Argument types raise :class:`argparse.ArgumentTypeError` (the parser then
exits with status 2 and one line); :func:`apply` sets them on a window.
"""

from __future__ import annotations

import argparse
from typing import Any

LAYOUT_CHOICES = ("1x1", "1x2", "2x2", "1x4")


def window_size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` in pixels, each 400–8000."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT such as 1600x1000, got {text!r}"
        ) from None
    if not (400 <= width <= 8000 and 400 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"width and height must be 400–8000, got {text!r}")
    return width, height


def roi(text: str) -> Any:
    """``rect:X,Y,W,H`` or ``ellipse:X,Y,W,H`` in image pixels (column, row of the corner)."""
    from denoscope.core.errors import ParameterError
    from denoscope.core.roi import Region

    shape, _, numbers = text.partition(":")
    try:
        x, y, width, height = (float(v) for v in numbers.split(","))
        return Region(shape.strip().lower(), x, y, width, height)
    except (ValueError, ParameterError):
        raise argparse.ArgumentTypeError(
            f"expected rect:X,Y,W,H or ellipse:X,Y,W,H (pixels), got {text!r}"
        ) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--size``, ``--layout`` and ``--roi`` to the ``view`` parser."""
    parser.add_argument(
        "--size",
        type=window_size,
        metavar="WxH",
        help="window size in pixels (default: most of the screen; 1600x1000 offscreen)",
    )
    parser.add_argument(
        "--layout", choices=LAYOUT_CHOICES, help="pane layout (default: the last one used)"
    )
    parser.add_argument(
        "--roi",
        type=roi,
        action="append",
        metavar="SHAPE:X,Y,W,H",
        help="add an ROI (rect or ellipse, image pixels); twice for contrast and CNR",
    )


def apply(window: Any, args: argparse.Namespace) -> None:
    """Set the layout and add the ROIs of ``args`` on a main window (after its study loaded)."""
    if getattr(args, "layout", None):
        window.view_toolbar.set_layout(args.layout)
        # The panes get their new size only once Qt lays them out: then fit them, so a
        # screenshot taken right after shows each image centred in its new pane.
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        if not window.panes._user_zoomed:
            window.panes.fit()
    for region in (getattr(args, "roi", None) or [])[:2]:
        window.view_toolbar.rois.add(region.shape, region)
