"""The live metrics table: noisy, denoised and baseline against the truth, with deltas.

In real-input mode (no truth) it shows no-reference readouts instead: the
estimated noise σ of the input and of the denoised image, and the standard
deviation of the residual. LPIPS arrives later than the rest (it is computed
asynchronously) and shows "…" until then.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from denoscope.app.pipeline import METRIC_COLUMNS, metric_table
from denoscope.app.state import ViewerState
from denoscope.core.metrics.table import format_metric

_BETTER = QColor("#8fbf8f")
_WORSE = QColor("#e08080")


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
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
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
        table.setHorizontalHeaderLabels([label for _k, label, _h in METRIC_COLUMNS])
        self._label_lpips(result.truth01.shape)
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
                    item.setForeground(QBrush(_BETTER if good else _WORSE))
                table.setItem(r, c, item)

    def _show_no_reference(self, result) -> None:
        table = self.table
        self.rows = [{"row": k, "label": k, "sigma": v} for k, v in result.sigma.items()]
        table.setColumnCount(1)
        table.setHorizontalHeaderLabels(["Estimated noise σ ([0, 1] units)"])
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
