"""The live metrics table: noisy, denoised and baseline against the truth, with deltas.

In real-input mode (no truth) it shows no-reference readouts instead: the
estimated noise σ of the input and of the denoised image, and the standard
deviation of the residual. LPIPS arrives later than the rest (it is computed
asynchronously) and shows "…" until then.

Columns have plain names with a tooltip saying what each metric measures
(from :data:`denoscope.core.metrics.table.METRICS`); MAE and MSE state their
scale, and their cells give the equivalent in the study's units (HU for CT).
Delta rows say better or worse twice, for colour-blind readers: a mark (✓
better, ✗ worse) and the Okabe–Ito blue/orange pair.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from denoscope.app.pipeline import METRIC_COLUMNS, metric_table
from denoscope.app.state import ViewerState
from denoscope.core.metrics.table import format_metric

_BETTER = QColor("#56b4e9")  # Okabe-Ito sky blue
_WORSE = QColor("#e69f00")  # Okabe-Ito orange
BETTER_MARK, WORSE_MARK = "✓", "✗"

#: Plain column names (the metric keys' labels for a reader).
PLAIN_LABELS = {
    "psnr": "PSNR (dB)",
    "ssim": "SSIM",
    "mse": "MSE (0–1²)",
    "mae": "MAE (0–1)",
    "gmsd": "Edge error",
    "grid": "Grid",
    "lpips": "LPIPS",
}


def column_tooltip(key: str) -> str:
    """What a metric column measures (core's metric table)."""
    try:
        from denoscope.core.metrics.table import metric_spec

        return metric_spec(key).description
    except (ImportError, KeyError):
        return ""


def format_value(key: str, value: float | None) -> str:
    """Text of one metric value: the metric table's format (:func:`format_metric`)."""
    return format_metric(key, value)


class MetricsTable(QWidget):
    """Metrics of the shown result of a :class:`ViewerState`.

    Parameters
    ----------
    state : ViewerState
        Follows ``resultChanged`` and ``lpipsChanged``.
    """

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.table = QTableWidget(0, len(METRIC_COLUMNS))
        self.table.setObjectName("metricsTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        # Columns as wide as their numbers (never elided with "…"); a narrow dock scrolls.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self.rows: list[dict] = []
        state.resultChanged.connect(lambda _r: self.refresh())
        state.lpipsChanged.connect(lambda _v: self.refresh())
        state.studyChanged.connect(lambda _s: self.refresh())

    def _label_lpips(self, shape: tuple[int, ...]) -> None:
        """A big image's LPIPS column says it was computed on a downsampled copy."""
        from denoscope.core.review.lpips_copy import lpips_factor, lpips_label

        column = [key for key, _l, _h in METRIC_COLUMNS].index("lpips")
        item = self.table.horizontalHeaderItem(column)
        factor = lpips_factor(shape)
        if item is not None and factor > 1:
            item.setText(f"LPIPS (1/{factor} copy)")
            item.setToolTip(lpips_label(shape))

    def refresh(self) -> None:
        """Rebuild the table from the state."""
        result = self.state.result
        table = self.table
        if result is None:
            table.setRowCount(0)
            self.rows = []
            return
        if result.truth01 is None:
            self._show_no_reference(result)
            return
        self.rows = metric_table(result, self.state.lpips)
        table.setColumnCount(len(METRIC_COLUMNS))
        table.setHorizontalHeaderLabels(
            [PLAIN_LABELS.get(key, label) for key, label, _h in METRIC_COLUMNS]
        )
        for column, (key, _label, higher) in enumerate(METRIC_COLUMNS):
            direction = "higher is better" if higher else "lower is better"
            tip = column_tooltip(key)
            table.horizontalHeaderItem(column).setToolTip(f"{tip} ({direction})".strip())
        self._label_lpips(result.truth01.shape)
        span, unit = self._unit_span()
        table.setRowCount(len(self.rows))
        table.setVerticalHeaderLabels([row["label"] for row in self.rows])
        waiting = not self.state.lpips
        for r, row in enumerate(self.rows):
            delta = row["row"].startswith("delta")
            for c, (key, _label, higher) in enumerate(METRIC_COLUMNS):
                value = row.get(key)
                if key == "lpips" and value is None and waiting and not delta:
                    text = "…"
                else:
                    text = format_value(key, value)
                    if delta and value is not None and not math.isnan(value):
                        text = ("+" if value > 0 else "") + text
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if delta and value not in (None, 0.0) and math.isfinite(value):
                    good = (value > 0) == higher
                    item.setText(f"{text} {BETTER_MARK if good else WORSE_MARK}")
                    item.setForeground(QBrush(_BETTER if good else _WORSE))
                    item.setToolTip("better" if good else "worse")
                if key in ("mae", "mse") and value is not None and span and math.isfinite(value):
                    shown = abs(value) * span if key == "mae" else math.sqrt(abs(value)) * span
                    what = "MAE" if key == "mae" else "RMSE"
                    item.setToolTip(f"{what} ≈ {shown:.3g} {unit}")
                table.setItem(r, c, item)

    def _unit_span(self) -> tuple[float | None, str]:
        """(high − low) of the study's normalisation and its unit, to express MAE in units."""
        loaded = self.state.study
        norm = None if loaded is None else getattr(loaded, "normalization", None)
        low, high = getattr(norm, "low", None), getattr(norm, "high", None)
        if low is None or high is None or not high > low:
            return None, ""
        unit = "HU" if loaded.study.modality == "ct" else "a.u."
        return float(high) - float(low), unit

    def _show_no_reference(self, result) -> None:
        table = self.table
        self.rows = [{"row": k, "label": k, "sigma": v} for k, v in result.sigma.items()]
        table.setColumnCount(1)
        table.setHorizontalHeaderLabels(["Estimated noise SD (0–1 scale)"])
        table.horizontalHeaderItem(0).setToolTip(
            "Noise standard deviation estimated from the image itself (no truth), on the "
            "model's 0–1 intensity scale"
        )
        table.setRowCount(len(self.rows))
        labels = {"input": "Input", "denoised": "Denoised", "residual std": "Residual (std)"}
        table.setVerticalHeaderLabels([labels.get(r["row"], r["row"]) for r in self.rows])
        for r, row in enumerate(self.rows):
            item = QTableWidgetItem(f"{row['sigma']:.4f}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, 0, item)

    def text(self, row: int, column: int) -> str:
        """The text of a cell (for tests and export)."""
        item = self.table.item(row, column)
        return "" if item is None else item.text()
