"""Flicker and swipe: two images in one pane, as radiologists compare them.

Both put image B over image A in A's pane (the 1×1 layout), so zoom, pan and
the display window are those of the pane:

* *flicker* shows A or B, toggled by a key or by a timer;
* *swipe* shows B left of a draggable vertical divider and A right of it.

Only the grey panes (noisy, denoised, truth) can be compared: they share one
display window.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, QSignalBlocker, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsSimpleTextItem

from denoscope.app.widgets.image_panes import GREY_PANES, PANE_LABELS, ImagePanes

MODES = ("off", "flicker", "swipe")
#: Default flicker period.
FLICKER_MS = 600


class CompareTool(QObject):
    """Flicker and swipe between two grey panes of an :class:`ImagePanes`.

    Parameters
    ----------
    panes : ImagePanes
        The panes; the comparison is drawn in pane A.

    Signals
    -------
    changed()
        Mode, pair or the image shown changed.
    """

    changed = Signal()

    def __init__(self, panes: ImagePanes, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panes = panes
        self.state = panes.state
        self.mode = "off"
        self.pair: tuple[str, str] = ("denoised", "noisy")
        self.showing_b = False
        self.divider = 0.5  # swipe position as a fraction of the image width
        self.clip = QGraphicsRectItem()
        self.clip.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
        self.clip.setPen(QPen(QColor(0, 0, 0, 0)))
        self.clip.setZValue(10)
        self.overlay = pg.ImageItem(axisOrder="row-major")
        self.overlay.setParentItem(self.clip)
        self.line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#ebcb8b", width=2))
        self.line.setZValue(20)
        self.line.sigPositionChanged.connect(self._on_line)
        self.label = QGraphicsSimpleTextItem()
        font = QFont()
        font.setPixelSize(12)
        font.setBold(True)
        self.label.setFont(font)
        self.label.setBrush(QBrush(QColor("#ebcb8b")))
        self.label.setZValue(1000)
        self.timer = QTimer(self)
        self.timer.setInterval(FLICKER_MS)
        self.timer.timeout.connect(self.toggle)
        self._host: str | None = None
        for signal in (
            self.state.resultChanged,
            self.state.sliceChanged,
            self.state.windowChanged,
            self.state.studyChanged,
        ):
            signal.connect(lambda *_a: self.refresh())
        panes.visiblePanesChanged.connect(lambda _k: self._follow_layout())

    # -- control ------------------------------------------------------------------------
    def set_mode(self, mode: str, a: str | None = None, b: str | None = None) -> None:
        """Turn flicker or swipe on (in pane ``a`` with image ``b`` over it) or off."""
        if mode not in MODES:
            raise ValueError(f"unknown compare mode {mode!r}")
        a, b = a or self.pair[0], b or self.pair[1]
        if a not in GREY_PANES or b not in GREY_PANES or a == b:
            raise ValueError("flicker and swipe compare two different grey panes")
        self.pair = (a, b)
        self.mode = mode
        self.showing_b = mode == "swipe"
        if mode != "flicker":
            self.timer.stop()
        self._detach()
        if mode != "off":
            self.panes.set_single(a)
            self.panes.set_layout("1x1")
            self._attach(a)
        self.refresh()

    def toggle(self) -> None:
        """Flicker: show the other image (turns flicker on when off)."""
        if self.mode != "flicker":
            self.set_mode("flicker")
        self.showing_b = not self.showing_b
        self.refresh()

    def set_running(self, running: bool, interval_ms: int | None = None) -> None:
        """Flicker by timer (every ``interval_ms``)."""
        if interval_ms is not None:
            self.timer.setInterval(max(int(interval_ms), 50))
        if running:
            if self.mode != "flicker":
                self.set_mode("flicker")
            self.timer.start()
        else:
            self.timer.stop()
        self.changed.emit()

    def set_divider(self, fraction: float) -> None:
        """Swipe: put the divider at ``fraction`` of the image width."""
        shape = self.panes.image_shape()
        self.divider = min(max(float(fraction), 0.0), 1.0)
        if shape is not None:
            self.line.setValue(self.divider * shape[1])
        self.refresh()

    def shown(self) -> str | None:
        """Flicker: the pane key of the image shown now (None when off)."""
        if self.mode == "off":
            return None
        return self.pair[1] if self.showing_b else self.pair[0]

    # -- drawing ------------------------------------------------------------------------
    def _attach(self, key: str) -> None:
        view = self.panes.views[key]
        view.addItem(self.clip, ignoreBounds=True)
        if self.mode == "swipe":
            view.addItem(self.line, ignoreBounds=True)
        self.label.setParentItem(view)
        self._host = key

    def _detach(self) -> None:
        if self._host is not None:
            view = self.panes.views[self._host]
            view.removeItem(self.clip)
            if self.line.scene() is not None:
                view.removeItem(self.line)
            self.label.setParentItem(None)
            if self.label.scene() is not None:
                self.label.scene().removeItem(self.label)
        self._host = None

    def _follow_layout(self) -> None:
        """Leaving the 1×1 layout (or changing its pane) ends the comparison."""
        if self.mode != "off" and self.panes.visible_panes() != (self.pair[0],):
            self.timer.stop()
            self.mode = "off"
            self._detach()
            self.changed.emit()

    def _on_line(self) -> None:
        shape = self.panes.image_shape()
        if shape is not None and shape[1] > 0:
            self.divider = min(max(self.line.value() / shape[1], 0.0), 1.0)
        self._update_clip()

    def _update_clip(self) -> None:
        shape = self.panes.image_shape()
        if shape is None:
            return
        rows, cols = shape
        if self.mode == "swipe":
            self.clip.setRect(QRectF(0, 0, self.divider * cols, rows))
        else:
            self.clip.setRect(QRectF(0, 0, cols, rows))
        self.clip.setVisible(self.mode == "swipe" or self.showing_b)

    def refresh(self) -> None:
        """Redraw B over A from the images and window shown now."""
        if self.mode == "off" or self._host is None:
            self.changed.emit()
            return
        image = self.panes.data.get(self.pair[1])
        if image is None:
            self.overlay.clear()
        else:
            self.overlay.setImage(image, autoLevels=False, levels=self.panes._levels())
        shape = self.panes.image_shape()
        if self.mode == "swipe" and shape is not None:
            with QSignalBlocker(self.line):
                self.line.setValue(self.divider * shape[1])
        self._update_clip()
        a, b = (PANE_LABELS[k] for k in self.pair)
        if self.mode == "swipe":
            text = f"Swipe: {b} | {a}"
        else:
            text = f"Flicker {a} ⇄ {b}: showing {PANE_LABELS[self.shown()]}"
        self.label.setText(text)
        self.label.setPos(8, 24)
        self.changed.emit()
