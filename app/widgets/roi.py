"""Rectangle and ellipse ROIs, mirrored on every pane, with their statistics.

The regions themselves are plain :class:`~denoscope.core.roi.Region` values
(image coordinates); each pane gets a pyqtgraph ROI item per region, and
moving or resizing any of them moves the others. Statistics come from
:mod:`denoscope.core.roi` on the shown result; they are recomputed when a drag
ends and whenever the result changes (slice, parameters).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal

from denoscope.app.state import ViewerState
from denoscope.app.widgets.image_panes import PANES, ImagePanes
from denoscope.core.roi import Region, contrast, region_stats

#: At most two regions: the region of interest and the background (for contrast and CNR).
MAX_ROIS = 2
ROI_COLOURS = ("#ebcb8b", "#88c0d0")  # ROI 1, ROI 2 (background)
ROI_NAMES = ("ROI 1", "ROI 2 (background)")


def roi_images(state: ViewerState) -> tuple[dict, np.ndarray | None, dict, np.ndarray | None]:
    """The shown result's images for ROI statistics.

    Returns
    -------
    tuple
        ``(images in modality units, truth in units, images on [0, 1], truth on [0, 1])``;
        empty when no result of the shown slice is there.
    """
    result, loaded = state.result, state.study
    if result is None or loaded is None or result.index != state.slice_index:
        return {}, None, {}, None
    units = {k: v for k, v in result.display.items() if v is not None and k != "truth"}
    unit01 = {"noisy": result.noisy01, "denoised": result.denoised01}
    if result.baseline01 is not None:
        units["baseline"] = np.asarray(
            loaded.normalization.from_unit(result.baseline01), np.float32
        )
        unit01["baseline"] = result.baseline01
    truth = result.display.get("truth")
    if truth is not None:
        units["truth"] = truth
    unit01 = {k: v for k, v in unit01.items() if v is not None}
    return units, truth, unit01, result.truth01


class RoiTool(QObject):
    """The ROIs of an :class:`ImagePanes` and their statistics.

    Parameters
    ----------
    panes : ImagePanes
        The panes to draw on.
    state : ViewerState
        Where the images come from.

    Signals
    -------
    statsChanged()
        Regions or their statistics changed.
    armedChanged(object)
        The shape a left drag will draw next (``None``: dragging pans again).
    """

    statsChanged = Signal()
    armedChanged = Signal(object)

    def __init__(
        self, panes: ImagePanes, state: ViewerState, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.panes = panes
        self.state = state
        self.regions: list[Region] = []
        self.items: list[dict[str, pg.ROI]] = []
        self.stats: list[dict] = []
        self.contrast: dict | None = None
        self.error: str | None = None
        self._syncing = False
        self.armed: str | None = None
        self._drawing: int | None = None
        for view in panes.views.values():
            view.regionDrawn.connect(self._on_drawn)
        state.resultChanged.connect(lambda _r: self.recompute())
        state.sliceChanged.connect(lambda _i: self.recompute())
        state.studyChanged.connect(lambda _s: self.clear())

    # -- regions ------------------------------------------------------------------------
    def default_region(self, shape: str) -> Region:
        """A region in the middle of the visible part of the image, 1/6 of its size."""
        view = self.panes.views[self.panes.visible_panes()[0]]
        rect = view.viewRect()
        image = self.panes.image_shape() or (128, 128)
        size = max(min(image) / 6.0, 4.0)
        cx = min(max(rect.center().x(), size / 2), image[1] - size / 2)
        cy = min(max(rect.center().y(), size / 2), image[0] - size / 2)
        if self.regions:  # the background region goes beside the first one
            cx = min(cx + size * 1.5, image[1] - size / 2)
        return Region(shape, cx - size / 2, cy - size / 2, size, size)

    def add(self, shape: str, region: Region | None = None) -> int:
        """Add a rectangle or ellipse ROI (mirrored on every pane); returns its index.

        A third ROI replaces the second (background) one.
        """
        region = region or self.default_region(shape)
        if len(self.regions) >= MAX_ROIS:
            self._remove(MAX_ROIS - 1)
        index = len(self.regions)
        self.regions.append(region)
        items: dict[str, pg.ROI] = {}
        pen = pg.mkPen(ROI_COLOURS[index], width=2)
        for key in PANES:
            cls = pg.EllipseROI if region.shape == "ellipse" else pg.RectROI
            if cls is pg.RectROI:
                item = pg.RectROI(
                    (region.x, region.y), (region.width, region.height), pen=pen, centered=False
                )
            else:
                item = pg.EllipseROI((region.x, region.y), (region.width, region.height), pen=pen)
            item.setZValue(50)
            self.panes.views[key].addItem(item)
            item.sigRegionChanged.connect(lambda roi, i=index: self._on_moved(i, roi, False))
            item.sigRegionChangeFinished.connect(lambda roi, i=index: self._on_moved(i, roi, True))
            items[key] = item
        self.items.append(items)
        self.recompute()
        return index

    def arm(self, shape: str | None) -> None:
        """Let the next left drag on any pane draw a ``shape`` ROI (``None``: pan again)."""
        self.armed = shape
        for view in self.panes.views.values():
            view.drawing = shape is not None
        self.armedChanged.emit(shape)

    def draw_or_place(self, shape: str) -> None:
        """Toolbar command: arm drawing; asked again while armed, place a default ROI."""
        if self.armed == shape:
            self.arm(None)
            self.add(shape)
        else:
            self.arm(shape)

    def _on_drawn(self, start, here, finished: bool) -> None:
        if self.armed is None:
            return
        x0, x1 = sorted((float(start.x()), float(here.x())))
        y0, y1 = sorted((float(start.y()), float(here.y())))
        try:
            region = Region(self.armed, x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0))
        except Exception:  # noqa: BLE001 - a degenerate drag: wait for a better one
            return
        if self._drawing is None:
            self._drawing = self.add(self.armed, region)
        else:
            self.regions[self._drawing] = region
            self._sync(self._drawing, None)
        if finished:
            self._drawing = None
            self.arm(None)
            self.recompute()

    def set_region(self, index: int, region: Region) -> None:
        """Move ROI ``index`` (on every pane)."""
        if region.shape != self.regions[index].shape:
            raise ValueError("a region keeps its shape; add a new ROI instead")
        self.regions[index] = region
        self._sync(index, None)
        self.recompute()

    def _remove(self, index: int) -> None:
        for key, item in self.items[index].items():
            self.panes.views[key].removeItem(item)
        del self.items[index]
        del self.regions[index]

    def clear(self) -> None:
        """Remove every ROI."""
        while self.regions:
            self._remove(len(self.regions) - 1)
        self.stats, self.contrast, self.error = [], None, None
        self.statsChanged.emit()

    def _on_moved(self, index: int, roi: pg.ROI, finished: bool) -> None:
        if self._syncing or index >= len(self.regions):
            return
        pos, size = roi.pos(), roi.size()
        try:
            region = Region(
                self.regions[index].shape,
                float(pos.x()),
                float(pos.y()),
                float(size.x()),
                float(size.y()),
            )
        except Exception:  # noqa: BLE001 - a degenerate drag: keep the last valid region
            return
        self.regions[index] = region
        self._sync(index, roi)
        if finished:
            self.recompute()

    def _sync(self, index: int, source: pg.ROI | None) -> None:
        region = self.regions[index]
        self._syncing = True
        try:
            for item in self.items[index].values():
                if item is source:
                    continue
                item.setPos((region.x, region.y), update=False, finish=False)
                item.setSize((region.width, region.height), update=True, finish=False)
        finally:
            self._syncing = False

    # -- statistics ---------------------------------------------------------------------
    def recompute(self) -> None:
        """Statistics of every ROI on the shown result."""
        self.stats, self.contrast, self.error = compute_stats(self.state, self.regions)
        self.statsChanged.emit()

    def record(self) -> list[dict[str, Any]]:
        """ROIs with statistics computed now from the state, JSON-ready (exports, sidecars)."""
        return roi_record(self.state, self.regions)


def compute_stats(
    state: ViewerState, regions: list[Region]
) -> tuple[list[dict], dict | None, str | None]:
    """Statistics of ``regions`` on the state's shown result.

    Returns
    -------
    tuple
        ``(per-region stats, contrast/CNR or None, error text or None)``; no stats
        while the shown slice has no result.
    """
    from denoscope.core.errors import DenoscopeError

    units, truth, unit01, truth01 = roi_images(state)
    if not regions or not units:
        return [], None, None
    try:
        stats = [
            region_stats(region, units, truth=truth, images01=unit01, truth01=truth01)
            for region in regions
        ]
    except DenoscopeError as error:
        return [], None, str(error)
    return stats, (contrast(stats[0], stats[1]) if len(stats) == 2 else None), None


def roi_record(state: ViewerState, regions: list[Region]) -> list[dict[str, Any]]:
    """ROIs with their statistics computed from ``state`` now, JSON-ready."""
    stats, pair, error = compute_stats(state, regions)
    out = []
    for index, region in enumerate(regions):
        entry: dict[str, Any] = {"name": ROI_NAMES[index], "region": region.as_dict()}
        if index < len(stats):
            entry["stats"] = stats[index]
        if error:
            entry["error"] = error
        out.append(entry)
    if pair is not None and out:
        out[0]["contrast_vs_roi2"] = pair
    return out
