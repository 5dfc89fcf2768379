"""The ROI statistics table: one row per ROI and image, in modality units.

Columns: mean, SD, min, max (HU for CT), the noise SD (SD of image − truth),
its reduction by denoising, the local PSNR/SSIM against the truth and, with a
second (background) ROI, the contrast and CNR of ROI 1 against it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from denoscope.app.widgets.roi import ROI_COLOURS, ROI_NAMES, RoiTool

_IMAGE_LABELS = {
    "noisy": "Noisy",
    "denoised": "Denoised",
    "baseline": "Classical filter",
    "truth": "Ground truth",
}

#: Columns: key, header (``{u}`` = unit), tooltip.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("mean", "Mean ({u})", "Mean value inside the ROI"),
    ("sd", "SD ({u})", "Standard deviation inside the ROI"),
    ("min", "Min ({u})", "Smallest value inside the ROI"),
    ("max", "Max ({u})", "Largest value inside the ROI"),
    ("noise_sd", "Noise SD ({u})", "SD of (image − truth) inside the ROI: the noise left"),
    (
        "noise_sd_reduction",
        "Noise SD reduction",
        "1 − noise SD of the denoised image / noise SD of the noisy image",
    ),
    ("psnr", "Local PSNR (dB)", "PSNR against the truth inside the ROI ([0, 1] images)"),
    ("ssim", "Local SSIM", "SSIM against the truth over the ROI's bounding box (≥ 11 px)"),
    ("contrast", "Contrast ({u})", "Mean of ROI 1 − mean of ROI 2 (the background)"),
    ("cnr", "CNR", "Contrast-to-noise ratio: |mean ROI 1 − mean ROI 2| / SD of ROI 2"),
)


def format_stat(key: str, value) -> str:
    """Text of one ROI statistic."""
    if value is None:
        return "—"
    value = float(value)
    if math.isinf(value):
        return "∞"
    if key == "noise_sd_reduction":
        return f"{value * 100:+.1f} %"
    if key in ("ssim", "cnr"):
        return f"{value:.3f}"
    if key == "psnr":
        return f"{value:.2f}"
    return f"{value:.1f}"


class RoiTable(QWidget):
    """Statistics of a :class:`RoiTool`'s ROIs.

    Parameters
    ----------
    tool : RoiTool
        Follows its ``statsChanged``.
    """

    def __init__(self, tool: RoiTool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tool = tool
        self.note = QLabel("No ROI: add a rectangle or ellipse ROI from the toolbar.")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("roiTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(22)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        tool.statsChanged.connect(self.refresh)
        self.refresh()

    def unit(self) -> str:
        """Unit of the shown study's values."""
        study = self.tool.state.study
        return "HU" if study is not None and study.study.modality == "ct" else "a.u."

    def refresh(self) -> None:
        """Rebuild the table from the tool."""
        unit = self.unit()
        table = self.table
        table.setColumnCount(len(COLUMNS))
        table.setHorizontalHeaderLabels([header.format(u=unit) for _k, header, _t in COLUMNS])
        for column, (_key, _header, tip) in enumerate(COLUMNS):
            table.horizontalHeaderItem(column).setToolTip(tip)
        rows: list[tuple[str, int, dict]] = []
        for index, stats in enumerate(self.tool.stats):
            for name, values in stats.items():
                entry = dict(values)
                if index == 0 and self.tool.contrast and name in self.tool.contrast:
                    entry.update(self.tool.contrast[name])
                rows.append((f"{ROI_NAMES[index]} · {_IMAGE_LABELS.get(name, name)}", index, entry))
        table.setRowCount(len(rows))
        table.setVerticalHeaderLabels([label for label, _i, _e in rows])
        for r, (_label, index, entry) in enumerate(rows):
            table.verticalHeaderItem(r).setForeground(QColor(ROI_COLOURS[index]))
            for c, (key, _header, _tip) in enumerate(COLUMNS):
                item = QTableWidgetItem(format_stat(key, entry.get(key)))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        if self.tool.error:
            self.note.setText(self.tool.error)
        elif not self.tool.regions:
            self.note.setText(
                "No ROI: add a rectangle or ellipse ROI from the toolbar (Shift+R, Shift+E)."
            )
        elif not rows:
            self.note.setText("Waiting for the slice's result…")
        else:
            pixels = ", ".join(
                f"{ROI_NAMES[i]}: {next(iter(s.values()))['pixels']} px"
                for i, s in enumerate(self.tool.stats)
            )
            self.note.setText(f"{pixels} · values in {unit}")
        self.note.setVisible(True)

    def text(self, row: int, column: int) -> str:
        """The text of a cell (for tests)."""
        item = self.table.item(row, column)
        return "" if item is None else item.text()
