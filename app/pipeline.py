"""The viewer's background jobs: thin adapters over the core review pipeline (no Qt).

Every decision (modality, normalisation, model choice and caching, noise,
baseline σ, metrics, provenance) is :mod:`denoscope.core.review`'s, so the
viewer, ``denoscope denoise`` and exports agree. What is left here is the
viewer's own: the largest series first, and the images and difference maps
in modality units for the panes, computed off the GUI thread.

Each job takes keyword arguments ``progress(done, total)`` and
``should_stop() -> bool`` (passed by :class:`~denoscope.app.workers.LatestWorker`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from denoscope.app.params import Params
from denoscope.core.metrics.table import METRICS
from denoscope.core.review import (
    ROWS,
    ReviewStudy,
    SeriesMetrics,
    SliceReview,
    load_model_cached,
    lpips_for,
    metric_rows,
    model_path_for,
    review_slice,
    row_label,
    series_metrics,
    synthetic_noise,
)

__all__ = [
    "METRIC_COLUMNS",
    "ROWS",
    "LoadedStudy",
    "SeriesMetrics",
    "SliceResult",
    "load",
    "load_model_cached",
    "lpips_for",
    "metric_table",
    "model_path_for",
    "noisy_slice",
    "pixel_size_mm",
    "process",
    "row_label",
    "series_metrics",
]

ProgressFn = Callable[[int, int], None]
StopFn = Callable[[], bool]

#: The viewer's study: :class:`denoscope.core.review.ReviewStudy`.
LoadedStudy = ReviewStudy

#: Metric columns (key, label, higher is better), from :data:`denoscope.core.metrics.METRICS`.
METRIC_COLUMNS: tuple[tuple[str, str, bool], ...] = tuple(
    (spec.key, spec.label, spec.higher_is_better) for spec in METRICS
)

#: Rows of the metrics table, deltas included (:func:`denoscope.core.review.metric_rows`).
metric_table = metric_rows


def _noop_progress(done: int, total: int) -> None:
    return None


def _never() -> bool:
    return False


class DifferenceImages(Mapping[str, np.ndarray]):
    """The difference images of a result, each computed when first asked for, then kept.

    Only the difference mode on screen (or exported) is needed; an 8-MP frame's
    three differences would hold 96 MB. Keys: ``"residual"`` (noisy − denoised),
    ``"noisy-truth"`` and ``"denoised-truth"`` (absolute), where the images exist.
    Safe to read from several threads.
    """

    def __init__(
        self, noisy: np.ndarray, denoised: np.ndarray | None, truth: np.ndarray | None
    ) -> None:
        recipes: dict[str, Callable[[], np.ndarray]] = {}
        if denoised is not None:
            recipes["residual"] = lambda: noisy - denoised
        if truth is not None:
            recipes["noisy-truth"] = lambda: np.abs(noisy - truth)
            if denoised is not None:
                recipes["denoised-truth"] = lambda: np.abs(denoised - truth)
        self._recipes = recipes
        self._images: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def __getitem__(self, key: str) -> np.ndarray:
        recipe = self._recipes[key]  # KeyError for a difference this result cannot have
        with self._lock:
            if key not in self._images:
                self._images[key] = recipe()
            return self._images[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._recipes)

    def __len__(self) -> int:
        return len(self._recipes)


@dataclass
class SliceResult(SliceReview):
    """A core :class:`~denoscope.core.review.SliceReview` plus what the panes show.

    Attributes
    ----------
    display : dict
        ``"noisy"``, ``"denoised"``, ``"truth"`` in modality units (None where absent).
    differences : Mapping
        ``"residual"`` (noisy − denoised), ``"noisy-truth"``, ``"denoised-truth"``
        (:class:`DifferenceImages`: each computed on first use).
    diff_scale : float
        Colour scale of the difference pane (99.5th percentile of
        ``|noisy − reference|``), shared by all difference modes.
    histogram : tuple of ndarray or None
        (counts, edges) of the shown reference image.
    noise_sd : dict
        Modality -> SD of ``noisy − truth`` in modality units
        (:func:`denoscope.app.noise_defaults.measured_noise_sd`, computed off the GUI thread).
    """

    display: dict[str, np.ndarray | None] = field(default_factory=dict)
    differences: Mapping[str, np.ndarray] = field(default_factory=dict)
    diff_scale: float = 1.0
    histogram: tuple[np.ndarray, np.ndarray] | None = None
    noise_sd: dict[str, float | None] = field(default_factory=dict)


def load(
    path: str | Path,
    *,
    series_uid: str | None = None,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
) -> LoadedStudy:
    """Open a file or folder for review (:func:`denoscope.core.review.open_study`).

    A folder with several series opens its largest; the series picker offers the others.
    """
    # Import what the next steps need here, off the GUI thread and before the
    # user interacts (imports hold the GIL for long stretches).
    import PIL.PngImagePlugin  # noqa: F401  (16-bit PNG export)

    import denoscope.core.baselines  # noqa: F401
    import denoscope.core.io.write  # noqa: F401
    import denoscope.core.metrics  # noqa: F401
    import denoscope.core.noise  # noqa: F401
    from denoscope.core.review import open_study

    progress(0, 1)
    loaded = open_study(path, series_uid=series_uid, largest_series=True)
    progress(1, 1)
    return loaded


def load_files(
    paths: list[Path],
    *,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
) -> LoadedStudy:
    """Open exactly these files (several dropped at once): one stack, or the first with a note."""
    from denoscope.core.review.study import open_files

    progress(0, 1)
    loaded = open_files(paths)
    progress(1, 1)
    return loaded


def pixel_size_mm(loaded: LoadedStudy) -> float | None:
    """The study's in-plane pixel size in mm, None when unknown."""
    return loaded.pixel_size_mm


def noisy_slice(
    truth01: np.ndarray, params: Params, index: int, *, pixel_size: float | None = None
) -> np.ndarray:
    """The synthetic noisy version of one [0, 1] slice (:func:`denoscope.core.review.synthetic_noise`)."""
    return synthetic_noise(truth01, params, index, pixel_size_mm=pixel_size)


#: Frames with more pixels than this show their denoised image before their metrics.
BIG_PIXELS = 4_000_000

#: Network tile side in the viewer: big images run in fewer, larger tiles (less halo
#: recomputed: an 8-MP radiograph takes about 40 % of the CPU time of 512-pixel tiles,
#: for about 170 MB more memory).
VIEWER_TILE = 1024


def process(
    loaded: LoadedStudy,
    index: int,
    params: Params,
    *,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
    metrics: bool = True,
) -> SliceResult:
    """Review one slice (:func:`denoscope.core.review.review_slice`) and prepare its display.

    With ``metrics=False`` (big images) the result comes back as soon as the denoised
    image is ready; :func:`complete_metrics` adds the baseline and the metrics next.

    Raises
    ------
    denoscope.core.errors.Cancelled
        A newer request replaced this one.
    """
    review = review_slice(
        loaded,
        index,
        params,
        tile=VIEWER_TILE,
        progress=progress,
        should_stop=should_stop,
        metrics=metrics,
    )
    result = SliceResult(**{f.name: getattr(review, f.name) for f in fields(SliceReview)})
    _prepare_display(result, loaded, loaded.study.frames[index])
    return result


def complete_metrics(
    result: SliceResult,
    *,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
) -> SliceResult:
    """The baseline and metrics of a result shown without them (a big image), as a new result."""
    from dataclasses import replace

    from denoscope.core.review.slice import add_metrics

    progress(0, 1)
    full = replace(result, metrics={}, sigma={}, notes=list(result.notes))
    add_metrics(full)
    progress(1, 1)
    return full


def _prepare_display(result: SliceResult, loaded: LoadedStudy, frame: np.ndarray) -> None:
    """Images in modality units and every difference image, computed off the GUI thread.

    The colour scale of the difference pane is the 99.5th percentile of
    ``|noisy - reference|`` (reference: the truth, or the denoised image in
    real-input mode), shared by all difference modes so they compare fairly.
    """
    normalization = result.normalization or loaded.normalization

    def units(image01: np.ndarray | None) -> np.ndarray | None:
        if image01 is None:
            return None
        return np.asarray(normalization.from_unit(image01), np.float32)

    noisy, denoised = units(result.noisy01), units(result.denoised01)
    truth = np.asarray(frame, np.float32) if result.truth01 is not None else None
    result.display = {"noisy": noisy, "denoised": denoised, "truth": truth}
    result.differences = DifferenceImages(noisy, denoised, truth)
    from denoscope.app.noise_defaults import measured_noise_sd

    measured_noise_sd(result, str(loaded.study.modality))  # kept in result.noise_sd
    shown = truth if truth is not None else noisy
    counts, edges = np.histogram(shown[np.isfinite(shown)], bins=256)
    result.histogram = (counts, edges)
    reference = truth if truth is not None else denoised
    if reference is not None:
        spread = np.abs(noisy - reference)
        result.diff_scale = float(max(np.percentile(spread, 99.5), 1e-6))
