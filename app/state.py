"""The viewer's state: one QObject whose signals every view listens to.

Views take a :class:`ViewerState` in their constructor, read it, and connect
to its signals; they change it only through its setters. Nothing here computes
anything: the :mod:`~denoscope.app.controller` turns state changes into work
for :mod:`~denoscope.app.workers` and stores the results back here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

import denoscope.app.qt_compat  # noqa: F401  (binding fixes, before any signal is used)
from denoscope.app.params import DIFF_MODES, Params

if TYPE_CHECKING:
    from denoscope.app.pipeline import LoadedStudy, SeriesMetrics, SliceResult


class ViewerState(QObject):
    """Observable state of one viewer window.

    Signals
    -------
    studyChanged(object)
        A new :class:`~denoscope.app.pipeline.LoadedStudy` (or ``None``).
    sliceChanged(int)
        The shown slice index.
    paramsChanged(object)
        New :class:`Params`.
    windowChanged(float, float)
        Display window (center, width) in modality units.
    diffModeChanged(str)
        Key of :data:`DIFF_MODES`.
    resultChanged(object)
        A :class:`~denoscope.app.pipeline.SliceResult` for the shown slice (or ``None``).
    lpipsChanged(object)
        ``dict`` row name -> LPIPS value (or ``None``) for the shown result.
    seriesMetricsChanged(object)
        :class:`~denoscope.app.pipeline.SeriesMetrics` (or ``None``).
    busyChanged(str, bool)
        ``(task, busy)`` for "load", "denoise", "lpips", "series".
    progressChanged(str, int, int)
        ``(task, done, total)``.
    message(str, str)
        ``(kind, text)`` where kind is "error", "warning" or "info" (an action
        succeeded: it clears the last error).
    """

    studyChanged = Signal(object)
    sliceChanged = Signal(int)
    paramsChanged = Signal(object)
    windowChanged = Signal(float, float)
    diffModeChanged = Signal(str)
    resultChanged = Signal(object)
    lpipsChanged = Signal(object)
    seriesMetricsChanged = Signal(object)
    busyChanged = Signal(str, bool)
    progressChanged = Signal(str, int, int)
    message = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.study: LoadedStudy | None = None
        self.slice_index = 0
        self.params = Params()
        self.window: tuple[float, float] = (40.0, 400.0)
        self.diff_mode = "denoised-truth"
        self.result: SliceResult | None = None
        self.lpips: dict[str, float | None] = {}
        self.series_metrics: SeriesMetrics | None = None
        self.busy: dict[str, bool] = {}
        self.last_error: str | None = None

    # -- setters ----------------------------------------------------------------
    def set_study(self, loaded: LoadedStudy | None) -> None:
        """Show a newly loaded study (resets slice, window, results)."""
        self.study = loaded
        self.result = None
        self.lpips = {}
        self.series_metrics = None
        if loaded is not None:
            self.slice_index = loaded.study.frames.shape[0] // 2
            self.window = tuple(float(v) for v in loaded.study.window)
        self.studyChanged.emit(loaded)
        self.windowChanged.emit(*self.window)

    def n_slices(self) -> int:
        """Number of frames of the shown study (0 when none)."""
        return 0 if self.study is None else int(self.study.study.frames.shape[0])

    def set_slice(self, index: int) -> None:
        """Show another slice (clamped to the study)."""
        n = self.n_slices()
        index = max(0, min(int(index), max(n - 1, 0)))
        if index != self.slice_index:
            self.slice_index = index
            self.sliceChanged.emit(index)

    def set_params(self, *, quiet: bool = False, **changes: Any) -> None:
        """Change some :class:`Params` fields (no signal when nothing changed).

        ``quiet=True`` stores them without ``paramsChanged``: the caller
        announces the new parameters itself, once (the controller does so after
        a new study, so one request follows, not two).
        """
        new = replace(self.params, **changes)
        if new != self.params:
            self.params = new
            if not quiet:
                self.paramsChanged.emit(new)

    def set_window(self, center: float, width: float) -> None:
        """Change the display window (width at least a tiny positive value)."""
        window = (float(center), max(float(width), 1e-6))
        if window != self.window:
            self.window = window
            self.windowChanged.emit(*window)

    def set_diff_mode(self, mode: str) -> None:
        """Choose what the difference pane shows (a key of :data:`DIFF_MODES`)."""
        if mode not in DIFF_MODES:
            raise ValueError(f"unknown difference mode {mode!r}")
        if mode != self.diff_mode:
            self.diff_mode = mode
            self.diffModeChanged.emit(mode)

    def set_result(self, result: SliceResult | None) -> None:
        """Store the result for the shown slice; LPIPS is reset until it arrives."""
        self.result = result
        self.lpips = {}
        self.resultChanged.emit(result)

    def set_lpips(self, values: dict[str, float | None]) -> None:
        """Store the LPIPS values of the shown result."""
        self.lpips = dict(values)
        self.lpipsChanged.emit(self.lpips)

    def set_series_metrics(self, metrics: SeriesMetrics | None) -> None:
        """Store per-slice metrics of the shown series."""
        self.series_metrics = metrics
        self.seriesMetricsChanged.emit(metrics)

    def set_busy(self, task: str, busy: bool) -> None:
        """Record whether a task is running."""
        if self.busy.get(task) != busy:
            self.busy[task] = busy
            self.busyChanged.emit(task, busy)

    def report(self, kind: str, text: str) -> None:
        """Show a message to the user (kind "error", "warning" or "info")."""
        if kind == "error":
            self.last_error = text
        elif kind == "info":  # a success: the last error no longer describes the present
            self.last_error = None
        self.message.emit(kind, text)
