"""Noisy, Denoised, Ground truth and Difference panes in a reading-room layout.

Each pane is its own graphics widget (title, image, readout) in a grid that
follows a layout: 1×1 (one large pane, chosen with the pane switcher), 1×2
(any two panes, noisy | denoised by default), 2×2 or 1×4. Images are shown in
modality units (HU for CT) with one explicit display window shared by the grey
panes (never auto-levels); the difference pane has its own colour map and a
colour scale drawn over it. Zoom and pan are linked with ``setXLink`` /
``setYLink``; "fit" shows the whole image and "1:1" one image pixel per screen
pixel. Dragging with the middle button (or Ctrl + left button) changes the
window the way Weasis and OHIF do: horizontal = width (right: wider), vertical =
level (down: higher level, darker image). The wheel scrolls slices of a series
(Ctrl + wheel zooms).

Readouts under the panes are recomputed from the shown images whenever they
change (slice, result, difference mode), so they never describe another slice.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from denoscope.app.annotations import orientation_labels, study_orientation
from denoscope.app.state import DIFF_MODES, ViewerState
from denoscope.app.widgets.pane_overlays import PaneOverlay

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)

#: Pane keys in display order.
PANES: tuple[str, ...] = ("noisy", "denoised", "truth", "difference")
#: Panes that show grey images in the shared display window.
GREY_PANES: tuple[str, ...] = ("noisy", "denoised", "truth")
_TITLES = {"noisy": "Noisy", "denoised": "Denoised", "truth": "Ground truth"}
_REAL_TITLES = {"noisy": "Input", "denoised": "Denoised", "truth": "(no ground truth)"}
PANE_LABELS = {
    "noisy": "Noisy",
    "denoised": "Denoised",
    "truth": "Ground truth",
    "difference": "Difference",
}

#: Layouts: key -> (rows, columns).
LAYOUTS: dict[str, tuple[int, int]] = {"1x1": (1, 1), "1x2": (1, 2), "2x2": (2, 2), "1x4": (1, 4)}
LAYOUT_LABELS = {"1x1": "1×1", "1x2": "1×2", "2x2": "2×2", "1x4": "1×4"}
DEFAULT_LAYOUT = "1x2"

#: Colour maps of the difference pane: unsigned and signed differences.
DIFF_CMAPS = {"unsigned": "inferno", "signed": "CET-D1"}

#: Fraction of the view left around a fitted image.
FIT_PADDING = 0.01


def unit_label(modality: str | None) -> str:
    """The display unit of a modality's values ("HU" for CT, else "a.u."): core's one rule.

    See :func:`denoscope.core.modality.pixel_unit` (the loader gives plain images
    the modality "unknown", so "ct" here is DICOM CT).
    """
    from denoscope.core.modality import pixel_unit

    return pixel_unit(modality or "unknown")


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
    regionDrawn = Signal(object, object, bool)  # start, current (image coords), finished

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self.slice_wheel = False
        self.drawing = False  # a left drag draws an ROI instead of panning

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802 - Qt naming
        ctrl = bool(ev.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if self.drawing and ev.button() == Qt.MouseButton.LeftButton and not ctrl:
            ev.accept()
            start = self.mapSceneToView(ev.buttonDownScenePos())
            here = self.mapSceneToView(ev.scenePos())
            self.regionDrawn.emit(start, here, bool(ev.isFinish()))
            return
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


class _Label(pg.LabelItem):
    """A label that never widens its pane: long text is cut at the pane's edge."""

    def updateMin(self) -> None:  # noqa: N802 - pyqtgraph naming
        super().updateMin()
        height = self.itemRect().height()
        self.setMinimumWidth(0)
        self._sizeHint[Qt.SizeHint.MinimumSize] = (0, height)
        self._sizeHint[Qt.SizeHint.PreferredSize] = (0, height)
        self.updateGeometry()


#: Below this pane width (pixels) titles use their short form.
COMPACT_TITLE_WIDTH = 400


class Pane(pg.GraphicsLayoutWidget):
    """One pane: a title, the image view and a readout line.

    Parameters
    ----------
    key : str
        One of :data:`PANES`.
    """

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.setObjectName(f"pane-{key}")
        self.setBackground("#101214")
        self.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.ci.layout.setSpacing(0)
        self.title = _Label(_TITLES.get(key, "Difference"), color="#d8dee9", size="9pt")
        self.title.setFixedHeight(18)
        self.view = _PaneView()
        self.item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.item)
        self.value = _Label("", color="#a3b1c2", size="8pt")
        self.value.setFixedHeight(14)  # readouts appearing must not resize the panes
        self.addItem(self.title, row=0, col=0)
        self.addItem(self.view, row=1, col=0)
        self.addItem(self.value, row=2, col=0)
        self.overlay = PaneOverlay(self.view)


class ImagePanes(QWidget):
    """The linked image panes of a :class:`ViewerState`, arranged by a layout.

    Parameters
    ----------
    state : ViewerState
        The state shown; the panes listen to its signals.

    Signals
    -------
    hoverChanged(str)
        A status-bar text for the pixel under the mouse.
    layoutChanged(str)
        The new layout key.
    visiblePanesChanged(object)
        The tuple of pane keys now shown.
    """

    hoverChanged = Signal(str)
    layoutChanged = Signal(str)
    visiblePanesChanged = Signal(object)

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("imagePanes")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(2)
        self.panes: dict[str, Pane] = {key: Pane(key) for key in PANES}
        self.views = {key: pane.view for key, pane in self.panes.items()}
        self.items = {key: pane.item for key, pane in self.panes.items()}
        self.titles = {key: pane.title for key, pane in self.panes.items()}
        self.values = {key: pane.value for key, pane in self.panes.items()}
        self.data: dict[str, np.ndarray | None] = dict.fromkeys(PANES)
        #: The graphics widget of the first pane (keyboard focus, paint events).
        self.graphics = self.panes[PANES[0]]
        first = self.views[PANES[0]]
        for key, pane in self.panes.items():
            pane.view.windowDragged.connect(self._on_window_drag)
            pane.view.wheelSlices.connect(lambda step: state.set_slice(state.slice_index + step))
            pane.view.sigRangeChangedManually.connect(self._on_manual_range)
            pane.view.sigResized.connect(lambda _v, k=key: self._on_view_resized(k))
            pane.scene().sigMouseMoved.connect(lambda pos, k=key: self._on_mouse_moved(k, pos))
            if key != PANES[0]:
                pane.view.setXLink(first)
                pane.view.setYLink(first)

        self.layout_name = DEFAULT_LAYOUT
        self.single = "denoised"
        self.pair: tuple[str, str] = ("noisy", "denoised")
        self.hover: tuple[int, int] | None = None
        self._diff_scale = 1.0
        self._fitted_shape: tuple[int, ...] | None = None
        self._user_zoomed = False
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._apply_view)
        self._arrange()

        state.studyChanged.connect(self._on_study)
        state.sliceChanged.connect(self._on_slice)
        state.resultChanged.connect(self._on_result)
        state.windowChanged.connect(self._apply_window)
        state.diffModeChanged.connect(lambda _m: self._show_difference())
        state.paramsChanged.connect(lambda _p: self._update_titles())

    # -- layout -------------------------------------------------------------------------
    def visible_panes(self) -> tuple[str, ...]:
        """Keys of the panes the current layout shows, in reading order."""
        if self.layout_name == "1x1":
            return (self.single,)
        if self.layout_name == "1x2":
            return self.pair
        keys = PANES
        if self.state.params.real_input and self.layout_name == "1x4":
            keys = tuple(k for k in PANES if k != "truth")  # no truth to show
        return keys

    def set_layout(self, name: str) -> None:
        """Show layout ``name`` (a key of :data:`LAYOUTS`)."""
        if name not in LAYOUTS:
            raise ValueError(f"unknown layout {name!r}; expected one of {', '.join(LAYOUTS)}")
        if name != self.layout_name:
            self.layout_name = name
            self._arrange()
            self.layoutChanged.emit(name)

    def set_single(self, key: str) -> None:
        """Choose the pane of the 1×1 layout."""
        if key not in PANES:
            raise ValueError(f"unknown pane {key!r}")
        if key != self.single:
            self.single = key
            if self.layout_name == "1x1":
                self._arrange()

    def next_pane(self, step: int = 1) -> str:
        """Show the next (or previous) pane in the 1×1 layout; switches to 1×1."""
        index = (PANES.index(self.single) + step) % len(PANES)
        self.set_single(PANES[index])
        self.set_layout("1x1")
        return self.single

    def set_pair(self, left: str, right: str) -> None:
        """Choose the two panes of the 1×2 layout."""
        if left not in PANES or right not in PANES:
            raise ValueError(f"unknown panes {left!r}, {right!r}")
        if (left, right) != self.pair:
            self.pair = (left, right)
            if self.layout_name == "1x2":
                self._arrange()

    def _arrange(self) -> None:
        rows, cols = LAYOUTS[self.layout_name]
        keys = self.visible_panes()
        if self.layout_name == "1x4":
            cols = len(keys)
        for pane in self.panes.values():
            self.grid.removeWidget(pane)
            pane.hide()
        for index in range(4):
            self.grid.setRowStretch(index, 1 if index < rows else 0)
            self.grid.setColumnStretch(index, 1 if index < cols else 0)
        for index, key in enumerate(keys):
            self.grid.addWidget(self.panes[key], index // cols, index % cols)
            self.panes[key].show()
        self.grid.activate()
        self._refit.start()
        self.refresh_values()
        self.visiblePanesChanged.emit(keys)

    # -- state -> panes -----------------------------------------------------------------
    def _on_study(self, loaded) -> None:
        for key in PANES:
            self.data[key] = None
            self.items[key].clear()
        self.hover = None
        if loaded is None:
            return
        study = loaded.study
        n = int(study.frames.shape[0])
        ratio = pixel_aspect(study.pixel_spacing)
        labels = orientation_labels(study_orientation(study, self.state.slice_index))
        for pane in self.panes.values():
            pane.view.slice_wheel = n > 1
            pane.view.setAspectLocked(True, ratio=ratio)
            pane.overlay.set_orientation(labels)
            pane.overlay.set_spacing(study.pixel_spacing)
            pane.overlay.set_image_shape(study.frames.shape[1:])
        self._user_zoomed = False
        self._show_truth_frame()
        self._fit()
        self._update_titles()

    def _on_slice(self, index: int) -> None:
        result = self.state.result
        if result is not None and result.index == index and result.params == self.state.params:
            self._on_result(result)  # a remembered result was shown already (cache)
        else:
            self._show_truth_frame()
        self.refresh_values()

    def _show_truth_frame(self) -> None:
        """Show the slice's original frame at once (before its result arrives)."""
        loaded = self.state.study
        if loaded is None:
            return
        frame = np.asarray(loaded.study.frames[self.state.slice_index], np.float32)
        key = "noisy" if self.state.params.real_input else "truth"
        self._set_image(key, frame)
        # The other panes still hold the previous slice: clear them until its result comes.
        for other in PANES:
            if other != key:
                self._set_image(other, None)

    def _on_result(self, result) -> None:
        if result is None or self.state.study is None:
            return
        for key in GREY_PANES:
            self._set_image(key, result.display.get(key))
        self._diff_scale = result.diff_scale
        self._show_difference()

    def difference_mode(self) -> str:
        """The difference shown: the state's mode, or the residual in real-input mode."""
        return "residual" if self.state.params.real_input else self.state.diff_mode

    def difference_image(self) -> np.ndarray | None:
        """The difference image of the current mode in modality units (``None`` if n/a)."""
        result = self.state.result
        if result is None or result.index != self.state.slice_index:
            return None
        return result.differences.get(self.difference_mode())

    def difference_display(self) -> tuple[str, tuple[float, float]]:
        """Colour-map name and levels of the difference pane."""
        if self.difference_mode() == "residual":
            return DIFF_CMAPS["signed"], (-self._diff_scale, self._diff_scale)
        return DIFF_CMAPS["unsigned"], (0.0, self._diff_scale)

    def _show_difference(self) -> None:
        image = self.difference_image()
        name, levels = self.difference_display()
        cmap = pg.colormap.get(name)
        item = self.items["difference"]
        item.setColorMap(cmap)
        self.data["difference"] = image
        if image is None:
            item.clear()
        else:
            item.setImage(image, autoLevels=False, levels=levels)
        unit = unit_label(self.modality())
        self.panes["difference"].overlay.set_colour_scale(
            name if image is not None else None, levels[0], levels[1], unit
        )
        self._update_titles()
        self.refresh_values()

    def modality(self) -> str | None:
        """Modality of the shown study (None when none)."""
        return None if self.state.study is None else self.state.study.study.modality

    def _set_image(self, key: str, image: np.ndarray | None) -> None:
        self.data[key] = image
        item = self.items[key]
        if image is None:
            item.clear()
        else:
            item.setImage(image, autoLevels=False, levels=self._levels())
            if self._fitted_shape != image.shape:
                self._fit()
        self.refresh_values()

    # -- zoom ---------------------------------------------------------------------------
    def image_shape(self) -> tuple[int, int] | None:
        """(rows, cols) of the shown images (None before a study)."""
        image = next((d for d in self.data.values() if d is not None), None)
        if image is None and self.state.study is not None:
            return tuple(int(v) for v in self.state.study.study.frames.shape[1:])
        return None if image is None else (int(image.shape[0]), int(image.shape[1]))

    def _fit(self) -> None:
        shape = self.image_shape()
        if shape is None:
            return
        self._fitted_shape = shape
        for key in self.visible_panes():
            self.views[key].setRange(
                xRange=(0, shape[1]), yRange=(0, shape[0]), padding=FIT_PADDING
            )

    def fit(self) -> None:
        """Zoom every pane to show the whole image."""
        self._user_zoomed = False
        self._fitted_shape = None
        self._fit()

    reset_view = fit

    def actual_size(self) -> None:
        """Zoom to one image pixel per screen pixel (1:1), around the current centre."""
        key = self.visible_panes()[0]
        view = self.views[key]
        rect = view.viewRect()
        size = view.boundingRect()
        if size.width() <= 0 or size.height() <= 0:
            return
        ratio = pixel_aspect(
            None if self.state.study is None else self.state.study.study.pixel_spacing
        )
        cx, cy = rect.center().x(), rect.center().y()
        half_w, half_h = size.width() / 2.0, size.height() / 2.0 * ratio
        self._user_zoomed = True
        for other in self.visible_panes():
            self.views[other].setRange(
                xRange=(cx - half_w, cx + half_w), yRange=(cy - half_h, cy + half_h), padding=0.0
            )

    def screen_pixels_per_image_pixel(self, key: str) -> float:
        """Current zoom of pane ``key``: screen pixels per image column."""
        view = self.views[key]
        span = view.viewRange()[0][1] - view.viewRange()[0][0]
        return float(view.boundingRect().width() / span) if span > 0 else 0.0

    def image_rect_on_screen(self, key: str) -> tuple[float, float]:
        """(width, height) in screen pixels of the whole image in pane ``key`` (clipped to the view)."""
        shape = self.image_shape()
        view = self.views[key]
        if shape is None:
            return 0.0, 0.0
        (x0, x1), (y0, y1) = view.viewRange()
        box = view.boundingRect()
        shown_w = max(0.0, min(x1, shape[1]) - max(x0, 0.0))
        shown_h = max(0.0, min(y1, shape[0]) - max(y0, 0.0))
        return shown_w / (x1 - x0) * box.width(), shown_h / (y1 - y0) * box.height()

    def _on_view_resized(self, _key: str) -> None:
        self._refit.start()

    def _apply_view(self) -> None:
        """After a resize or layout change: fit, or keep the reader's zoom and pan."""
        self._update_titles()
        if self._user_zoomed:
            shown = self.views[PANES[0]].viewRect()
            for key in self.visible_panes():
                self.views[key].setRange(rect=shown, padding=0.0)
        else:
            self._fitted_shape = None
            self._fit()

    def _on_manual_range(self, *_args) -> None:
        self._user_zoomed = True

    # -- window -------------------------------------------------------------------------
    def _levels(self) -> tuple[float, float]:
        center, width = self.state.window
        return center - width / 2.0, center + width / 2.0

    def _apply_window(self, _center: float, _width: float) -> None:
        levels = self._levels()
        for key in GREY_PANES:
            if self.data[key] is not None:
                self.items[key].setLevels(levels)

    def _update_titles(self) -> None:
        real = self.state.params.real_input
        names = _REAL_TITLES if real else _TITLES
        result = self.state.result
        current = (
            result is not None
            and result.params.real_input == real
            and result.index == self.state.slice_index
        )
        metrics = result.metrics if current else {}
        for key in GREY_PANES:
            text = names[key]
            values = metrics.get(key)
            if values and values.get("psnr") is not None:
                if self.panes[key].width() < COMPACT_TITLE_WIDTH:
                    text += f" · {values['psnr']:.2f} dB · {values['ssim']:.3f}"
                else:
                    text += f" · PSNR {values['psnr']:.2f} dB · SSIM {values['ssim']:.3f}"
            if key == "denoised" and current and getattr(result, "modality_warning", None):
                text += " · ⚠ model trained for another modality"
            self._set_title(key, text)
        unit = unit_label(self.modality())
        mode = DIFF_MODES[self.difference_mode()]
        if self.panes["difference"].width() < COMPACT_TITLE_WIDTH:
            self._set_title("difference", f"{mode} ({unit})")
        else:
            self._set_title("difference", f"Difference: {mode} ({unit})")

    def title_text(self, key: str) -> str:
        """The title shown above pane ``key``."""
        return str(self.titles[key].text)

    def _set_title(self, key: str, text: str) -> None:
        """Change a pane title only when its text changes (each change relays out the pane)."""
        if self.titles[key].text != text:
            self.titles[key].setText(text)

    # -- interaction --------------------------------------------------------------------
    def _on_window_drag(self, dx: float, dy: float, _finished: bool) -> None:
        """Weasis/OHIF: right = wider window, down = higher level (darker)."""
        center, width = self.state.window
        step = max(width, 1.0) / 256.0
        self.state.set_window(center + dy * step, width + dx * step)

    def value_at(self, key: str, row: int, col: int) -> float | None:
        """The value of pane ``key`` at (row, col), or ``None`` outside the image."""
        image = self.data.get(key)
        if image is None or not (0 <= row < image.shape[0] and 0 <= col < image.shape[1]):
            return None
        return float(image[row, col])

    def _on_mouse_moved(self, key: str, pos: QPointF) -> None:
        view = self.views[key]
        if view.sceneBoundingRect().contains(pos):
            point = view.mapSceneToView(pos)
            self.show_values(int(np.floor(point.y())), int(np.floor(point.x())))

    def show_values(self, row: int, col: int) -> None:
        """Show every pane's value at (row, col) under that pane (kept up to date)."""
        self.hover = (int(row), int(col))
        self.refresh_values()

    def readouts(self) -> dict[str, float | None]:
        """Each pane's value at the hovered pixel, from the images shown now."""
        if self.hover is None:
            return dict.fromkeys(PANES)
        return {key: self.value_at(key, *self.hover) for key in PANES}

    def refresh_values(self) -> None:
        """Recompute the readouts from the images shown now (slice, result, mode)."""
        unit = unit_label(self.modality())
        values = self.readouts()
        texts = []
        for key in PANES:
            value = values[key]
            text = (
                "" if value is None else f"({self.hover[0]}, {self.hover[1]}): {value:.1f} {unit}"
            )
            if self.values[key].text != text:
                self.values[key].setText(text)
            if value is not None:
                texts.append(f"{key} {value:.1f}")
        if self.hover is None or not texts:
            self.hoverChanged.emit("")
        else:
            self.hoverChanged.emit(f"({self.hover[0]}, {self.hover[1]}) " + ", ".join(texts))
