"""Turns state changes into background work and results back into state.

The controller owns the :class:`~denoscope.app.workers.LatestWorker` instances
(loading, denoising one slice, LPIPS, series metrics). Every change of the
study, slice or parameters submits a new request; the worker drops stale
results, so the state only ever receives the latest request's result.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from denoscope.app import pipeline
from denoscope.app.state import ViewerState
from denoscope.app.tuning import freeze_long_lived_objects
from denoscope.app.workers import LatestWorker
from denoscope.core.modality import Modality

_log = logging.getLogger("denoscope.app")

#: Slice results kept for instant revisits (about 10 MB each at 512 x 512).
RESULT_CACHE_SIZE = 8


def describe_error(error: BaseException) -> str:
    """A one-paragraph, readable message for an error raised by background work."""
    from denoscope.core.errors import DenoscopeError

    if isinstance(error, DenoscopeError):
        return str(error)
    if isinstance(error, MemoryError):
        return "Out of memory while processing this study. Try a smaller series or the CPU."
    if isinstance(error, OSError):
        return f"Could not read or write a file: {error}"
    return f"Unexpected {type(error).__name__}: {error}"


class Controller(QObject):
    """Connects a :class:`ViewerState` to background workers.

    Parameters
    ----------
    state : ViewerState
        The state to drive.
    series_metrics : bool
        Compute PSNR/SSIM across the slices of a series after each slice result.

    Signals
    -------
    settled()
        Nothing is loading or computing any more (all workers idle).
    """

    settled = Signal()

    def __init__(
        self, state: ViewerState, *, series_metrics: bool = True, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.series_enabled = series_metrics
        self.loader = LatestWorker("load", self)
        self.denoiser = LatestWorker("denoise", self)
        self.lpips = LatestWorker("lpips", self)
        self.series = LatestWorker("series", self)
        self.export = LatestWorker("export", self)
        self.metrics = LatestWorker("metrics", self)  # big images: metrics after the image
        for worker in (self.denoiser, self.lpips, self.series, self.export):
            worker.needs_torch = True
        from denoscope.app.warmup import LPIPS_EXTENSION_MODULES

        self.lpips.preload = LPIPS_EXTENSION_MODULES
        #: A :class:`~denoscope.app.review_setup.ReviewSetupKeeper` (set by the window).
        self.review_setup: Any = None
        self._series_params: Any = None
        self._pending_params: dict[str, Any] = {}
        self._last_note: str | None = None
        # Recent results by (study, slice, params): revisiting a slice shows at once.
        self._cache: OrderedDict[tuple, list] = OrderedDict()

        for task, worker in self._workers().items():
            worker.started.connect(lambda _g, t=task: state.set_busy(t, True))
            worker.idle.connect(lambda t=task: self._on_idle(t))
            worker.progress.connect(lambda _g, d, n, t=task: state.progressChanged.emit(t, d, n))
            worker.failed.connect(lambda _g, e, t=task: self._on_failed(t, e))
        self.loader.finished.connect(self._on_loaded)
        self.denoiser.finished.connect(self._on_result)
        self.lpips.finished.connect(self._on_lpips)
        self.series.finished.connect(self._on_series)
        self.metrics.finished.connect(self._on_metrics)
        self.export.finished.connect(lambda _g, _r: freeze_long_lived_objects("export"))
        self.loader.finished.connect(lambda _g, _r: freeze_long_lived_objects("load"))

        state.paramsChanged.connect(self._on_params)
        state.sliceChanged.connect(lambda _i: self.request())

    def _workers(self) -> dict[str, LatestWorker]:
        return {
            "load": self.loader,
            "denoise": self.denoiser,
            "lpips": self.lpips,
            "series": self.series,
            "export": self.export,
            "metrics": self.metrics,
        }

    # -- requests -------------------------------------------------------------------
    def open(self, path: str | Path, *, series_uid: str | None = None, **params: Any) -> int:
        """Load ``path`` off the GUI thread; ``params`` are applied once it is loaded."""
        self._pending_params = dict(params)
        return self.loader.submit(pipeline.load, Path(path), series_uid=series_uid)

    def open_files(self, paths: list[Path], **params: Any) -> int:
        """Load exactly these files off the GUI thread (one stack, or the first with a note)."""
        self._pending_params = dict(params)
        return self.loader.submit(pipeline.load_files, [Path(p) for p in paths])

    def request(self) -> None:
        """Compute the shown slice for the current parameters (latest request wins)."""
        state = self.state
        if state.study is None:
            return
        self.lpips.cancel()
        self.metrics.cancel()
        if self._series_params is not None and self._series_params != state.params:
            self.series.cancel()  # stale; restarted after the new slice result
            self._series_params = None
        cached = self._cache.get(self._key(state.slice_index, state.params))
        if cached is not None:
            self.denoiser.cancel()  # an older request must not replace this result
            self._show(*cached)
            return
        big = state.study.study.frames[0].size > pipeline.BIG_PIXELS
        self.denoiser.submit(
            pipeline.process, state.study, state.slice_index, state.params, metrics=not big
        )

    def _key(self, index: int, params: Any) -> tuple:
        return (id(self.state.study), index, params)

    def _remember(self, result: pipeline.SliceResult, lpips: dict | None) -> None:
        key = self._key(result.index, result.params)
        self._cache[key] = [result, lpips]
        self._cache.move_to_end(key)
        while len(self._cache) > RESULT_CACHE_SIZE:
            self._cache.popitem(last=False)

    def set_series_enabled(self, enabled: bool) -> None:
        """Turn the per-slice metrics of a series on or off (off cancels the running job)."""
        self.series_enabled = bool(enabled)
        self._series_params = None
        if enabled:
            self.request()
        else:
            self.series.cancel()

    def cancel_all(self) -> list[str]:
        """Cancel every running or waiting job (the Cancel button); returns their task names."""
        stopped = [task for task, worker in self._workers().items() if worker.is_busy()]
        for task in stopped:
            self._workers()[task].cancel()
        if "series" in stopped:
            self._series_params = None  # computed again after the next slice result
        return stopped

    def is_busy(self) -> bool:
        """Whether any worker is running or waiting."""
        return any(worker.is_busy() for worker in self._workers().values())

    def shutdown(self, msecs: int = 600) -> bool:
        """Cancel everything and wait at most ``msecs`` in all for the workers (window closing).

        Every job stops at its next cancellation point (a tile, a slice, an LPIPS
        row; an export never leaves a partial file: each file is written atomically).
        A job still inside a step that cannot be interrupted after ``msecs`` is left
        to finish on its own thread, silently (:meth:`LatestWorker.close`), so closing
        never blocks for long. Returns True when every worker stopped in time.
        """
        import time

        workers = list(self._workers().values())
        for worker in workers:
            worker.cancel()
        deadline = time.monotonic() + msecs / 1000.0
        stopped = True
        for worker in workers:
            left = max(int((deadline - time.monotonic()) * 1000), 0)
            stopped = worker.wait_done(left) and stopped
        for worker in workers:
            worker.close()
        return stopped

    # -- results (GUI thread, queued from the workers) ---------------------------------
    @Slot(object)
    def _on_params(self, _params: Any) -> None:
        self.request()

    def _on_loaded(self, _gen: int, loaded: pipeline.LoadedStudy) -> None:
        state = self.state
        self.series.cancel()
        modality = loaded.study.modality
        changes: dict[str, Any] = {}
        if Modality.parse(modality).has_model:  # else the current model stays
            changes["modality"] = modality
        setup_modality = str(getattr(loaded, "modality", modality))
        pending = self._pending_params
        saved_setup: dict[str, Any] = {}
        if self.review_setup is not None:  # the reader's last set-up for this modality
            from denoscope.app.review_setup import valid_param_changes

            saved_setup = self.review_setup.saved(setup_modality)
            changes.update(valid_param_changes(saved_setup))
            if "noise" in pending and "level" not in pending:
                changes.pop("level", None)  # a saved level belongs to the saved noise model
        changes.update(pending)
        self._pending_params = {}
        previous = None if state.study is None else state.study.study.modality
        if "noise" not in changes and modality != previous:
            from denoscope.app.noise_defaults import default_noise

            changes["noise"] = default_noise(modality)  # the modality's physical noise
        if "level" not in changes and (state.study is None or "noise" in changes):
            from denoscope.core.noise import NOISE_MODELS

            noise = NOISE_MODELS[changes.get("noise", state.params.noise)]
            changes["level"] = noise.default_level(changes.get("modality", state.params.modality))
        self._series_params = None
        self._cache.clear()
        if changes:  # announced once, after set_study below (one request, not two)
            state.set_params(quiet=True, **changes)
        if self.review_setup is not None:
            self.review_setup.hold()
        state.set_study(loaded)
        if self.review_setup is not None:
            self.review_setup.restore_view(saved_setup)
        self._last_note = None  # the new study's notes are said again
        state.report("info", f"Opened {loaded.study.description or loaded.path.name}.")
        for note in getattr(loaded.study, "notes", ()):  # colour reduced, files stacked or left out
            state.report("warning", note)
        state.paramsChanged.emit(state.params)

    def _on_result(self, _gen: int, result: pipeline.SliceResult) -> None:
        self._remember(result, None)
        if self.state.last_error is not None:
            self.state.report("info", "Result updated.")  # a success clears the last error
        self._show(result, None)

    def _show(self, result: pipeline.SliceResult, lpips: dict | None) -> None:
        """Put a result (fresh or remembered) into the state and start what follows it."""
        state = self.state
        state.set_result(result)
        freeze_long_lived_objects("result")
        for note in result.notes:
            if note != self._last_note:  # say it once, not on every change
                state.report("warning", note)
        self._last_note = result.notes[-1] if result.notes else None
        if getattr(result, "metrics_pending", False):  # a big image: its metrics come next
            self.metrics.submit(pipeline.complete_metrics, result)
            return
        self._after_metrics(result, lpips)

    def _on_metrics(self, _gen: int, full: pipeline.SliceResult) -> None:
        """A big image's metrics arrived: the table fills in, the images stay as they are."""
        state = self.state
        shown = state.result
        if shown is None or (shown.index, shown.params) != (full.index, full.params):
            return
        self._remember(full, None)
        state.result = full  # same images: no redraw; the table refreshes below
        state.set_lpips({})
        self._after_metrics(full, None)

    def _after_metrics(self, result: pipeline.SliceResult, lpips: dict | None) -> None:
        """LPIPS and the per-slice series metrics, once a result has its metrics."""
        state = self.state
        if lpips is not None:
            state.set_lpips(lpips)
        elif result.truth01 is not None:
            self.lpips.submit(pipeline.lpips_for, result)
        if (
            self.series_enabled
            and state.n_slices() > 1
            and not state.params.real_input
            and self._series_params != state.params
        ):
            self._series_params = state.params
            self.series.submit(pipeline.series_metrics, state.study, state.params)

    def _on_lpips(self, _gen: int, values: dict[str, float | None]) -> None:
        result = self.state.result
        if result is not None:
            self._remember(result, dict(values))
        self.state.set_lpips(values)
        freeze_long_lived_objects("lpips")

    def _on_series(self, _gen: int, metrics: pipeline.SeriesMetrics) -> None:
        if metrics.params == self.state.params:
            self.state.set_series_metrics(metrics)
        freeze_long_lived_objects("series")

    def _on_failed(self, task: str, error: BaseException) -> None:
        from denoscope.core.errors import DenoscopeError

        if not isinstance(error, DenoscopeError):  # a defect: keep the traceback for a report
            _log.error("%s failed", task, exc_info=(type(error), error, error.__traceback__))
        if task == "lpips":
            self.state.set_lpips({})
            self.state.report("warning", f"LPIPS unavailable: {describe_error(error)}")
            return
        if task == "series":
            self._series_params = None
        self.state.report("error", describe_error(error))

    def _on_idle(self, task: str) -> None:
        self.state.set_busy(task, False)
        if not self.is_busy():
            self.settled.emit()
