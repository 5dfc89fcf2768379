"""PSNR and SSIM across the slices of a series, with the shown slice marked.

Filled by the controller's series worker; clicking on a plot shows that slice.
The x-axis counts slices from 1 (as "slice 3 / 8" elsewhere) over the whole
series, with integer ticks and no SI scaling; the legend sits above the plots,
never over the curves.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from denoscope.app.state import ViewerState

_COLOURS = {"noisy": "#e69f00", "denoised": "#56b4e9"}  # Okabe-Ito orange and sky blue
_PENS = {name: pg.mkPen(colour, width=1.5) for name, colour in _COLOURS.items()}


def tick_step(n: int) -> int:
    """A major tick spacing that shows at most about 10 slice numbers."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if n / step <= 10:
            return step
    return max(1, n // 10)


class SlicePlot(QWidget):
    """Per-slice PSNR (top) and SSIM (bottom) of a :class:`ViewerState`'s series.

    Parameters
    ----------
    state : ViewerState
        Follows ``seriesMetricsChanged`` and ``sliceChanged``.
    """

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#14171a")
        self.status = QLabel("Open a series to see PSNR and SSIM across its slices.")
        self.status.setWordWrap(True)
        self.enabled = QCheckBox("Compute")
        self.enabled.setChecked(True)
        self.enabled.setToolTip(
            "Denoise every slice after each change to plot PSNR/SSIM across the series "
            "(turn off to save CPU on long series)"
        )
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.enabled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.graphics, 1)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self.markers: dict[str, pg.InfiniteLine] = {}
        legend = "   ".join(
            f"<span style='color:{colour}'>━━ {name}</span>" for name, colour in _COLOURS.items()
        )
        self.legend = pg.LabelItem(legend, size="9pt")
        self.graphics.addItem(self.legend, row=0, col=0)
        for row, (metric, label) in enumerate((("psnr", "PSNR (dB)"), ("ssim", "SSIM")), start=1):
            plot = self.graphics.addPlot(row=row, col=0)
            plot.setLabel("left", label)
            plot.showGrid(x=True, y=True, alpha=0.2)
            axis = plot.getAxis("bottom")
            axis.enableAutoSIPrefix(False)
            plot.enableAutoRange(axis="x", enable=False)
            for name, pen in _PENS.items():
                self.curves[(metric, name)] = plot.plot([], [], pen=pen, name=name)
            marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#ebcb8b", width=1))
            plot.addItem(marker)
            plot.scene().sigMouseClicked.connect(self._on_click)
            self.plots[metric], self.markers[metric] = plot, marker
        self.plots["ssim"].setXLink(self.plots["psnr"])
        self.plots["ssim"].setLabel("bottom", "slice number")
        state.seriesMetricsChanged.connect(self._on_metrics)
        state.sliceChanged.connect(self._on_slice)
        state.studyChanged.connect(self._on_study)
        state.progressChanged.connect(self._on_progress)
        state.paramsChanged.connect(self._on_params)
        self._real_input = state.params.real_input

    def _on_study(self, loaded) -> None:
        for curve in self.curves.values():
            curve.setData([], [])
        n = 0 if loaded is None else int(loaded.study.frames.shape[0])
        self.set_slice_axis(n)
        real = self.state.params.real_input
        self.graphics.setVisible(n > 1 and not real)
        if real:
            self.status.setText("Real input: no ground truth, so no per-slice PSNR/SSIM.")
        elif n == 1:
            self.status.setText("Single image: no per-slice plot.")
        else:
            self.status.setText(f"{n} slices: computing…")
        self._on_slice(self.state.slice_index)

    def set_slice_axis(self, n: int) -> None:
        """x-axis from slice 1 to slice ``n``, integer ticks."""
        n = max(int(n), 1)
        step = tick_step(n)
        for plot in self.plots.values():
            plot.setXRange(0.5, n + 0.5, padding=0.0)
            plot.getAxis("bottom").setTickSpacing(step, step)

    def x_range(self) -> tuple[float, float]:
        """The shown x-range (slice numbers)."""
        low, high = self.plots["psnr"].viewRange()[0]
        return float(low), float(high)

    def _on_params(self, params) -> None:
        """Redraw only when real-input mode toggles; new curves come with new metrics."""
        if params.real_input != self._real_input:
            self._real_input = params.real_input
            self._on_study(self.state.study)

    def _on_progress(self, task: str, done: int, total: int) -> None:
        if task == "series" and total:
            self.status.setText(f"Per-slice metrics: {done}/{total} slices")

    def _on_metrics(self, metrics) -> None:
        if metrics is None:
            return
        for (metric, name), curve in self.curves.items():
            values = getattr(metrics, metric).get(name)
            if values is None:
                curve.setData([], [])
                continue
            x = np.arange(1, values.shape[0] + 1)  # slice numbers
            finite = np.isfinite(values)
            curve.setData(x[finite], values[finite])
        self.status.setText(f"PSNR and SSIM of {len(metrics.psnr['noisy'])} slices vs truth")

    def _on_slice(self, index: int) -> None:
        for marker in self.markers.values():
            marker.setValue(index + 1)

    def _on_click(self, event) -> None:
        for plot in self.plots.values():
            if plot.sceneBoundingRect().contains(event.scenePos()):
                x = plot.vb.mapSceneToView(event.scenePos()).x()
                self.state.set_slice(round(x) - 1)
                return

    def curve_data(self, metric: str, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The plotted (x, y) of one curve."""
        x, y = self.curves[(metric, name)].getData()
        return (np.asarray([]) if x is None else x), (np.asarray([]) if y is None else y)
