"""What is drawn over a pane in screen space: orientation letters, a scale bar, a colour scale.

The items are children of the pane's ViewBox (not of its zoomed content), so
they stay at the pane's edges while the image is zoomed and panned. The scale
bar's length is recomputed from the zoom and the pixel spacing on every range
change.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QFont, QLinearGradient, QPen
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
)

from denoscope.app.annotations import scale_bar

_TEXT = QColor("#ebcb8b")
_MARGIN = 6.0


def _text_item(parent, size: int = 11) -> QGraphicsSimpleTextItem:
    item = QGraphicsSimpleTextItem(parent)
    font = QFont()
    font.setPixelSize(size)
    font.setBold(True)
    item.setFont(font)
    item.setBrush(QBrush(_TEXT))
    item.setZValue(1000)
    return item


class PaneOverlay:
    """Orientation letters, scale bar and (optionally) a colour scale over a ViewBox.

    Parameters
    ----------
    view : pyqtgraph.ViewBox
        The pane's view.
    """

    def __init__(self, view: pg.ViewBox) -> None:
        self.view = view
        self.labels: dict[str, str] | None = None
        self.spacing: tuple[float, float] | None = None
        self.letters = {side: _text_item(view) for side in ("left", "right", "top", "bottom")}
        self.bar = QGraphicsLineItem(view)
        self.bar.setPen(QPen(_TEXT, 2))
        self.bar.setZValue(1000)
        self.bar_text = _text_item(view, 10)
        self.bar_mm: float | None = None
        self.scale_rect = QGraphicsRectItem(view)
        self.scale_rect.setZValue(1000)
        self.scale_rect.setPen(QPen(QColor("#d8dee9"), 1))
        self.scale_low = _text_item(view, 10)
        self.scale_high = _text_item(view, 10)
        self.scale: tuple[str, float, float, str] | None = None
        self.image_shape: tuple[int, int] | None = None
        view.sigResized.connect(lambda _v: self.update())
        view.sigRangeChanged.connect(lambda *_a: self.update())
        self.update()

    def set_orientation(self, labels: dict[str, str] | None) -> None:
        """Letters at the four edges (``None`` hides them)."""
        self.labels = labels
        self.update()

    def set_image_shape(self, shape: tuple[int, int] | None) -> None:
        """(rows, cols) of the image: letters and bar sit at its edges, not the pane's."""
        self.image_shape = None if shape is None else (int(shape[0]), int(shape[1]))
        self.update()

    def frame(self) -> QRectF:
        """The part of the view covered by the image (the whole view when unknown)."""
        rect = self.view.boundingRect()
        if self.image_shape is None:
            return rect
        rows, cols = self.image_shape
        corner1 = self.view.mapFromView(QPointF(0.0, 0.0))
        corner2 = self.view.mapFromView(QPointF(float(cols), float(rows)))
        image = QRectF(corner1, corner2).normalized()
        shown = image.intersected(rect)
        return shown if shown.width() > 40 and shown.height() > 40 else rect

    def set_spacing(self, spacing: tuple[float, float] | None) -> None:
        """(row, col) pixel spacing in mm (``None`` hides the scale bar)."""
        self.spacing = spacing
        self.update()

    def set_colour_scale(
        self, cmap: str | None, low: float = 0.0, high: float = 1.0, unit: str = ""
    ) -> None:
        """Show a vertical colour scale (``cmap`` a pyqtgraph colormap name; None hides it)."""
        self.scale = None if cmap is None else (cmap, float(low), float(high), unit)
        self.update()

    def update(self) -> None:
        """Reposition everything for the view's size and zoom."""
        view_rect = self.view.boundingRect()
        rect = self.frame()
        left, top, width, height = rect.left(), rect.top(), rect.width(), rect.height()
        for side, item in self.letters.items():
            text = "" if self.labels is None else self.labels.get(side, "")
            item.setText(text)
            item.setVisible(bool(text))
            box = item.boundingRect()
            x = {
                "left": _MARGIN,
                "right": width - box.width() - _MARGIN,
            }.get(side, (width - box.width()) / 2)
            y = {
                "top": _MARGIN,
                "bottom": height - box.height() - _MARGIN,
            }.get(side, (height - box.height()) / 2)
            item.setPos(left + x, top + y)
        self._update_bar(left, top, width, height)
        self._update_scale(view_rect.width(), view_rect.height())

    def pixels_per_mm(self) -> float | None:
        """Screen pixels per mm along the columns at the current zoom (None if unknown)."""
        if self.spacing is None:
            return None
        x_range = self.view.viewRange()[0]
        span = x_range[1] - x_range[0]
        width = self.view.boundingRect().width()
        col_mm = float(self.spacing[1])
        if span <= 0 or width <= 0 or col_mm <= 0:
            return None
        return width / span / col_mm

    def _update_bar(self, left: float, top: float, width: float, height: float) -> None:
        per_mm = self.pixels_per_mm()
        bar = None if per_mm is None else scale_bar(per_mm, min(width / 4.0, 160.0))
        visible = bar is not None and bar[1] <= width - 4 * _MARGIN
        self.bar.setVisible(visible)
        self.bar_text.setVisible(visible)
        self.bar_mm = bar[0] if visible and bar is not None else None
        if not visible or bar is None:
            return
        mm, pixels = bar
        x1 = left + width - _MARGIN * 3 - pixels
        y = top + height - _MARGIN * 2 - 14
        self.bar.setLine(x1, y, x1 + pixels, y)
        self.bar_text.setText(f"{mm:g} mm")
        box = self.bar_text.boundingRect()
        self.bar_text.setPos(x1 + (pixels - box.width()) / 2, y + 2)

    def _update_scale(self, width: float, height: float) -> None:
        visible = self.scale is not None
        for item in (self.scale_rect, self.scale_low, self.scale_high):
            item.setVisible(visible)
        if self.scale is None:
            return
        name, low, high, unit = self.scale
        bar_h = max(min(height * 0.45, 200.0), 30.0)
        x, y = width - _MARGIN - 12, _MARGIN + 18
        self.scale_rect.setRect(QRectF(x, y, 12, bar_h))
        gradient = QLinearGradient(QPointF(0, y + bar_h), QPointF(0, y))
        cmap = pg.colormap.get(name)
        for stop in range(11):
            frac = stop / 10
            gradient.setColorAt(frac, cmap.mapToQColor(frac))
        self.scale_rect.setBrush(QBrush(gradient))
        self.scale_high.setText(f"{high:.3g} {unit}".strip())
        self.scale_low.setText(f"{low:.3g}")
        for item, ypos in ((self.scale_high, y - 15), (self.scale_low, y + bar_h + 1)):
            box = item.boundingRect()
            item.setPos(width - _MARGIN - box.width(), ypos)
