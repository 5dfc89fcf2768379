"""Noisy, Denoised, Ground truth and Difference panes with linked zoom, pan and window.

Images are shown in modality units (HU for CT) with one explicit display window
shared by the three grey panes (never auto-levels); the difference pane has its
own colour map and colour bar. Zoom and pan are linked with ``setXLink`` /
``setYLink``. Dragging with the middle button (or Ctrl + left button) changes
window/level; the wheel scrolls slices of a series (Ctrl + wheel zooms).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from denoscope.app.state import DIFF_MODES, ViewerState

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)

#: Pane keys in display order.
PANES: tuple[str, ...] = ("noisy", "denoised", "truth", "difference")
_TITLES = {"noisy": "Noisy", "denoised": "Denoised", "truth": "Ground truth"}
_REAL_TITLES = {"noisy": "Input", "denoised": "Denoised", "truth": "(no ground truth)"}


def unit_label(modality: str | None) -> str:
    """The display unit of a modality's values ("HU" for CT, else arbitrary units)."""
    return "HU" if modality == "ct" else "a.u."


def pixel_aspect(spacing: tuple[float, float] | None) -> float:
    """ViewBox aspect ratio (x scale / y scale) showing pixels of (row, col) mm spacing true to size."""
    if spacing is None:
        return 1.0
    row, col = (float(v) for v in spacing)
    return col / row if row > 0 and col > 0 and np.isfinite(col / row) else 1.0


class _PaneView(pg.ViewBox):
    """A ViewBox that turns middle/Ctrl drags into window/level and wheel into slices."""

    windowDragged = Signal(float, float, bool)  # dx, dy (pixels), finished
    wheelSlices = Signal(int)

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self.slice_wheel = False

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802 - Qt naming
        ctrl = bool(ev.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ev.button() == Qt.MouseButton.MiddleButton or (
            ev.button() == Qt.MouseButton.LeftButton and ctrl
        ):
            ev.accept()
            delta = ev.pos() - ev.lastPos()
            self.windowDragged.emit(float(delta.x()), float(delta.y()), bool(ev.isFinish()))
            return
        super().mouseDragEvent(ev, axis)

    def wheelEvent(self, ev, axis=None):  # noqa: N802 - Qt naming
        ctrl = bool(ev.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if self.slice_wheel and not ctrl:
            ev.accept()
            self.wheelSlices.emit(-1 if ev.delta() > 0 else 1)
            return
        super().wheelEvent(ev, axis)


class ImagePanes(QWidget):
    """The four linked image panes of a :class:`ViewerState`.

    Parameters
    ----------
    state : ViewerState
        The state shown; the panes listen to its signals.
    """

    hoverChanged = Signal(str)

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("imagePanes")
        self.graphics.setBackground("#101214")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)

        self.views: dict[str, _PaneView] = {}
        self.items: dict[str, pg.ImageItem] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        self.values: dict[str, pg.LabelItem] = {}
        self.data: dict[str, np.ndarray | None] = dict.fromkeys(PANES)
        for column, key in enumerate(PANES):
            title = pg.LabelItem(_TITLES.get(key, DIFF_MODES[state.diff_mode]), color="#d8dee9")
            view = _PaneView()
            item = pg.ImageItem(axisOrder="row-major")
            view.addItem(item)
            value = pg.LabelItem("", color="#a3b1c2", size="8pt")
            value.setFixedHeight(20)  # readouts appearing must not resize the panes
            title.setFixedHeight(24)
            self.graphics.addItem(title, row=0, col=column)
            self.graphics.addItem(view, row=1, col=column)
            self.graphics.addItem(value, row=2, col=column)
            view.windowDragged.connect(self._on_window_drag)
            view.wheelSlices.connect(lambda step: state.set_slice(state.slice_index + step))
            self.views[key], self.items[key] = view, item
            self.titles[key], self.values[key] = title, value
        first = self.views[PANES[0]]
        for key in PANES[1:]:
            self.views[key].setXLink(first)
            self.views[key].setYLink(first)

        self.colour_bar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=pg.colormap.get("inferno"),
            interactive=False,
            width=14,
        )
        self.colour_bar.setImageItem(self.items["difference"])
        self.graphics.addItem(self.colour_bar, row=1, col=len(PANES))
        self._diff_scale = 1.0
        self._fitted_shape: tuple[int, ...] | None = None
        self._user_zoomed = False
        for view in self.views.values():
            view.sigRangeChangedManually.connect(self._on_manual_range)

        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        state.studyChanged.connect(self._on_study)
        state.sliceChanged.connect(self._on_slice)
        state.resultChanged.connect(self._on_result)
        state.windowChanged.connect(self._apply_window)
        state.diffModeChanged.connect(lambda _m: self._show_difference())
        state.paramsChanged.connect(lambda _p: self._update_titles())

    # -- state -> panes -----------------------------------------------------------------
    def _on_study(self, loaded) -> None:
        for key in PANES:
            self.data[key] = None
            self.items[key].clear()
        if loaded is None:
            return
        n = int(loaded.study.frames.shape[0])
        ratio = pixel_aspect(loaded.study.pixel_spacing)
        for view in self.views.values():
            view.slice_wheel = n > 1
            view.setAspectLocked(True, ratio=ratio)
        self._show_truth_frame()
        self._fit()
        self._update_titles()

    def _on_slice(self, _index: int) -> None:
        self._show_truth_frame()

    def _show_truth_frame(self) -> None:
        """Show the slice's original frame at once (before its result arrives)."""
        loaded = self.state.study
        if loaded is None:
            return
        frame = np.asarray(loaded.study.frames[self.state.slice_index], np.float32)
        key = "noisy" if self.state.params.real_input else "truth"
        self._set_image(key, frame)

    def _on_result(self, result) -> None:
        if result is None or self.state.study is None:
            return
        for key in ("noisy", "denoised", "truth"):
            self._set_image(key, result.display.get(key))
        self._diff_scale = result.diff_scale
        self._show_difference()

    def difference_mode(self) -> str:
        """The difference shown: the state's mode, or the residual in real-input mode."""
        return "residual" if self.state.params.real_input else self.state.diff_mode

    def difference_image(self) -> np.ndarray | None:
        """The difference image of the current mode in modality units (``None`` if n/a)."""
        result = self.state.result
        return None if result is None else result.differences.get(self.difference_mode())

    def _show_difference(self) -> None:
        image = self.difference_image()
        signed = self.difference_mode() == "residual"
        if signed:
            cmap, levels = pg.colormap.get("CET-D1"), (-self._diff_scale, self._diff_scale)
        else:
            cmap, levels = pg.colormap.get("inferno"), (0.0, self._diff_scale)
        self.colour_bar.setColorMap(cmap)
        self.colour_bar.setLevels(levels)
        self.data["difference"] = image
        if image is None:
            self.items["difference"].clear()
        else:
            self.items["difference"].setImage(image, autoLevels=False, levels=levels)
        self._update_titles()

    def _set_image(self, key: str, image: np.ndarray | None) -> None:
        self.data[key] = image
        item = self.items[key]
        if image is None:
            item.clear()
            return
        item.setImage(image, autoLevels=False, levels=self._levels())
        if self._fitted_shape != image.shape:
            self._fit()

    def _fit(self) -> None:
        image = next((d for d in self.data.values() if d is not None), None)
        if image is None:
            return
        self._fitted_shape = image.shape
        self._user_zoomed = False
        for view in self.views.values():
            view.setRange(xRange=(0, image.shape[1]), yRange=(0, image.shape[0]), padding=0.02)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Keep the panes exactly equal in width, so linked zoom shows the same region."""
        super().resizeEvent(event)
        grid = self.graphics.ci.layout
        spare = self.width() - 80 - int(grid.horizontalSpacing()) * len(PANES)
        width = max(spare // len(PANES), 40)
        for column in range(len(PANES)):
            grid.setColumnFixedWidth(column, width)
        if self._user_zoomed:
            shown = self.views[PANES[0]].viewRect()  # keep the reader's zoom and pan
            for view in self.views.values():
                view.setRange(rect=shown, padding=0.0)
        else:
            self._fitted_shape = None
            self._fit()

    def _on_manual_range(self, *_args) -> None:
        self._user_zoomed = True

    def reset_view(self) -> None:
        """Zoom to fit the image."""
        self._user_zoomed = False
        self._fitted_shape = None
        self._fit()

    def _levels(self) -> tuple[float, float]:
        center, width = self.state.window
        return center - width / 2.0, center + width / 2.0

    def _apply_window(self, _center: float, _width: float) -> None:
        levels = self._levels()
        for key in ("noisy", "denoised", "truth"):
            if self.data[key] is not None:
                self.items[key].setLevels(levels)

    def _update_titles(self) -> None:
        real = self.state.params.real_input
        names = _REAL_TITLES if real else _TITLES
        result = self.state.result
        metrics = {} if result is None or result.params.real_input != real else result.metrics
        for key in ("noisy", "denoised", "truth"):
            text = names[key]
            values = metrics.get(key)
            if values and values.get("psnr") is not None:
                text += f" · PSNR {values['psnr']:.2f} dB · SSIM {values['ssim']:.3f}"
            self._set_title(key, text)
        unit = unit_label(None if self.state.study is None else self.state.study.study.modality)
        self._set_title("difference", f"Difference: {DIFF_MODES[self.difference_mode()]} ({unit})")
        if self.views["truth"].isVisible() == real:
            self.views["truth"].setVisible(not real)

    def _set_title(self, key: str, text: str) -> None:
        """Change a pane title only when its text changes (each change relays out the panes)."""
        if self.titles[key].text != text:
            self.titles[key].setText(text)

    # -- interaction --------------------------------------------------------------------
    def _on_window_drag(self, dx: float, dy: float, _finished: bool) -> None:
        center, width = self.state.window
        step = max(width, 1.0) / 256.0
        self.state.set_window(center - dy * step, width + dx * step)

    def value_at(self, key: str, row: int, col: int) -> float | None:
        """The value of pane ``key`` at (row, col), or ``None`` outside the image."""
        image = self.data.get(key)
        if image is None or not (0 <= row < image.shape[0] and 0 <= col < image.shape[1]):
            return None
        return float(image[row, col])

    def _on_mouse_moved(self, pos: QPointF) -> None:
        for view in self.views.values():
            if view.sceneBoundingRect().contains(pos):
                point = view.mapSceneToView(pos)
                self.show_values(int(np.floor(point.y())), int(np.floor(point.x())))
                return

    def show_values(self, row: int, col: int) -> None:
        """Show every pane's value at (row, col) under that pane."""
        unit = unit_label(None if self.state.study is None else self.state.study.study.modality)
        texts = []
        for key in PANES:
            value = self.value_at(key, row, col)
            text = "" if value is None else f"({row}, {col}): {value:.1f} {unit}"
            self.values[key].setText(text)
            if value is not None:
                texts.append(f"{key} {value:.1f}")
        self.hoverChanged.emit(f"({row}, {col}) " + ", ".join(texts) if texts else "")
