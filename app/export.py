"""Export: window grabs, comparison screenshots with their JSON sidecar, images and CSV."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget


def grab_window(widget: QWidget, out: Path) -> Path:
    """Save a picture of ``widget`` (as rendered, offscreen included) to ``out``.

    Raises
    ------
    OSError
        When the PNG cannot be written.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(out), "PNG"):
        raise OSError(f"could not write {out}")
    return out
