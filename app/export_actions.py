"""File > Export actions: dialogs, overwrite questions, and where the results go.

The writing itself is :mod:`denoscope.app.export`; a denoised series is
written by the controller's export worker, off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from denoscope.app.controller import describe_error
from denoscope.core.errors import DenoscopeError


class ExportActions(QObject):
    """The export commands of a main window.

    Parameters
    ----------
    window : MainWindow
        Provides ``state``, ``panes``, ``settings``, ``controller`` and the status bar.
    """

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.include_identifying = QAction("Include identifying text in exports", window)
        self.include_identifying.setCheckable(True)
        self.include_identifying.setToolTip(
            "Add the patient's name, ID and study date to comparison captions and sidecars "
            "(never institution, staff or device identifiers)"
        )
        self.anonymize = QAction("Anonymize derived DICOM exports", window)
        self.anonymize.setCheckable(True)
        self.anonymize.setToolTip(
            "Apply the DICOM PS3.15 basic de-identification profile to exported DICOM, "
            "with new UIDs consistent across the series"
        )
        window.controller.export.finished.connect(self._on_exported)

    def _can_export(self) -> bool:
        if self.window.state.result is None:
            self.window.state.report("error", "Nothing to export yet: open a study first.")
            return False
        return True

    def _save_path(self, title: str, name: str, filters: str) -> Path | None:
        start = str(Path(self.window.settings.last_folder()) / name)
        path, _ = QFileDialog.getSaveFileName(self.window, title, start, filters)
        if not path:
            return None
        self.window.settings.set_last_folder(Path(path).parent)
        return Path(path)

    def confirm_overwrite(self, paths: list[Path]) -> bool:
        """Ask before replacing existing files; True when none exist or the user agrees."""
        existing = [p for p in paths if p.exists()]
        if not existing:
            return True
        names = "\n".join(str(p) for p in existing[:10])
        answer = QMessageBox.question(
            self.window,
            "Replace files?",
            f"These files exist already:\n{names}\n\nReplace them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def export_comparison(
        self, out: Path, *, overwrite: bool = False, full_resolution: bool = False
    ) -> tuple[Path, ...] | None:
        """Write the comparison image and its JSON sidecar (and, with ``full_resolution``,
        each pane at native size); errors go to the banner."""
        from denoscope.app.export import export_comparison

        toolbar = getattr(self.window, "view_toolbar", None)
        regions = () if toolbar is None else tuple(toolbar.rois.regions)
        try:
            written = export_comparison(
                self.window.state,
                self.window.panes,
                out,
                identifying=self.include_identifying.isChecked(),
                overwrite=overwrite,
                regions=regions,
                full_resolution=full_resolution,
            )
        except (DenoscopeError, OSError, ValueError) as error:
            self.window.state.report("error", describe_error(error))
            return None
        self.window.state.report("info", f"Wrote {written[0]} and {written[1].name}")
        return written

    def export_comparison_dialog(self, *, full_resolution: bool = False) -> None:
        """File > Export comparison (and File > Export full-resolution panes)."""
        if not self._can_export():
            return
        from denoscope.app.export import sidecar_path

        out = self._save_path("Export comparison", "denoscope-comparison.png", "PNG (*.png)")
        if out is None:
            return
        out = out.with_suffix(".png")
        targets = [out, sidecar_path(out)]
        if full_resolution:
            targets += [
                out.with_name(f"{out.stem}_{k}.png") for k in self.window.panes.visible_panes()
            ]
        if self.confirm_overwrite(targets):
            self.export_comparison(out, overwrite=True, full_resolution=full_resolution)

    def export_metrics_dialog(self) -> None:
        """File > Export metrics CSV."""
        if not self._can_export():
            return
        from denoscope.app.export import export_metrics_csv

        out = self._save_path("Export metrics", "denoscope-metrics.csv", "CSV (*.csv)")
        if out is None or not self.confirm_overwrite([out]):
            return
        try:
            export_metrics_csv(self.window.state, out, overwrite=True)
        except (DenoscopeError, OSError, ValueError) as error:
            self.window.state.report("error", describe_error(error))
            return
        self.window.state.report("info", f"Wrote {out}")

    def export_denoised_dialog(self, *, series: bool = False) -> None:
        """File > Export denoised image (or series): 16-bit PNG or derived DICOM."""
        if not self._can_export():
            return
        from denoscope.app.export import export_denoised

        filters = "16-bit PNG (*.png);;Derived DICOM (*.dcm)"
        out = self._save_path("Export denoised", "denoised.png", filters)
        if out is None:
            return
        if out.suffix.lower() not in (".png", ".dcm"):
            out = out.with_suffix(".png")
        from denoscope.core.io.outputs import numbered_paths

        targets = numbered_paths(out, self.window.state.n_slices() if series else 1)
        if not self.confirm_overwrite(targets):
            return
        state = self.window.state
        self.window.controller.export.submit(
            export_denoised,
            state.study,
            state.result,
            state.params,
            out,
            series=series,
            overwrite=True,
            anonymize=self.anonymize.isChecked(),
        )

    def _on_exported(self, _gen: int, written: list) -> None:
        self.window.state.report("info", f"Wrote {len(written)} file(s): {written[0]}")
