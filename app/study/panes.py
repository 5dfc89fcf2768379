"""Large image panes for reading: linked zoom, pan and window/level; labels say only where.

Mouse: left drag pans, right drag or wheel zooms, middle drag (or Ctrl + left
drag) changes window/level, the same on every pane. The panes never take
keyboard focus, so every key reaches the reading window.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)

#: Pane titles: position only, never what produced the image.
TITLES = {"single": "Image", "left": "Left  (←)", "right": "Right  (→)", "reference": "Reference"}

_IDLE = "#3b4252"
_CHOSEN = "#88c0d0"


class _View(pg.ViewBox):
    """A ViewBox whose middle/Ctrl drags change window/level instead of panning."""

    windowDragged = Signal(float, float)

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802 - Qt naming
        ctrl = bool(ev.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ev.button() == Qt.MouseButton.MiddleButton or (
            ev.button() == Qt.MouseButton.LeftButton and ctrl
        ):
            ev.accept()
            delta = ev.pos() - ev.lastPos()
            self.windowDragged.emit(float(delta.x()), float(delta.y()))
            return
        super().mouseDragEvent(ev, axis)


class ReadingPanes(QWidget):
    """One to three linked panes (``single``/``left``/``right``/``reference``).

    Signals
    -------
    windowChanged(float, float)
        The display window (center, width) after a drag or reset.
    """

    windowChanged = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readingPanes")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(4)
        self.canvases: dict[str, pg.GraphicsLayoutWidget] = {}
        self.views: dict[str, _View] = {}
        self.items: dict[str, pg.ImageItem] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        self.window: tuple[float, float] = (0.5, 1.0)
        self._keys: tuple[str, ...] = ()
        self._shape: tuple[int, ...] | None = None

    def _build(self, keys: tuple[str, ...]) -> None:
        """One canvas per pane, side by side with equal widths (a QHBoxLayout), views linked."""
        self.clear()
        for key in keys:
            canvas = pg.GraphicsLayoutWidget()
            canvas.setBackground("#000000")
            canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            title = pg.LabelItem(TITLES[key], color="#d8dee9", size="11pt")
            title.setFixedHeight(26)
            view = _View()
            view.setBorder(pg.mkPen(_IDLE, width=3))
            item = pg.ImageItem(axisOrder="row-major")
            view.addItem(item)
            view.windowDragged.connect(self._on_drag)
            canvas.addItem(title, row=0, col=0)
            canvas.addItem(view, row=1, col=0)
            self.row.addWidget(canvas, 1)
            self.canvases[key], self.views[key] = canvas, view
            self.items[key], self.titles[key] = item, title
        first = self.views[keys[0]]
        for key in keys[1:]:
            self.views[key].setXLink(first)
            self.views[key].setYLink(first)
        self._keys = keys
        self._shape = None

    def show_images(
        self,
        images: dict[str, np.ndarray],
        *,
        window: tuple[float, float] | None,
        aspect: float = 1.0,
    ) -> None:
        """Show images by pane key; keep zoom and window when the size is unchanged.

        Parameters
        ----------
        images : dict of str to ndarray
            (rows, cols) images in modality units, by pane key.
        window : tuple of float or None
            (center, width) to apply, or None to keep the current one.
        aspect : float, optional
            Pixel aspect (column spacing / row spacing).
        """
        keys = tuple(k for k in ("single", "left", "reference", "right") if k in images)
        if keys != self._keys:
            self._build(keys)
        for key, image in images.items():
            self.items[key].setImage(np.asarray(image, dtype=np.float32), autoLevels=False)
            self.views[key].setAspectLocked(True, ratio=aspect)
        shape = next(iter(images.values())).shape
        if shape != self._shape:
            self._shape = shape
            self.reset_zoom()
        if window is not None:
            self.set_window(*window)
        else:
            self._apply_levels()

    def clear(self) -> None:
        """Remove every image (pause, end of study)."""
        for canvas in self.canvases.values():
            self.row.removeWidget(canvas)
            canvas.deleteLater()
        self.canvases, self.views, self.items, self.titles = {}, {}, {}, {}
        self._keys = ()
        self._shape = None

    def reset_zoom(self) -> None:
        """Fit the image to the panes."""
        if self._keys:
            self.views[self._keys[0]].autoRange(padding=0.0)

    def zoom(self, factor: float) -> None:
        """Zoom every pane in (``factor`` > 1) or out about the view's centre."""
        if self._keys:
            scale = 1.0 / float(factor)
            self.views[self._keys[0]].scaleBy((scale, scale))

    def set_window(self, center: float, width: float) -> None:
        """Apply one display window to every pane."""
        self.window = (float(center), max(float(width), 1e-6))
        self._apply_levels()
        self.windowChanged.emit(*self.window)

    def _apply_levels(self) -> None:
        center, width = self.window
        for item in self.items.values():
            item.setLevels((center - width / 2.0, center + width / 2.0))

    def _on_drag(self, dx: float, dy: float) -> None:
        center, width = self.window
        step = max(width, 1e-3) / 300.0
        self.set_window(center - dy * step, max(width + dx * step, 1e-6))

    def mark(self, key: str | None) -> None:
        """Highlight the pane ``key`` (the side chosen), or none."""
        for name, view in self.views.items():
            view.setBorder(pg.mkPen(_CHOSEN if name == key else _IDLE, width=3))
