"""Plain functions the viewer runs off the GUI thread; every computation is core's.

Each function takes keyword arguments ``progress(done, total)`` and
``should_stop() -> bool`` (passed by :class:`~denoscope.app.workers.LatestWorker`)
and knows nothing about Qt. They call :mod:`denoscope.core` for loading, noise,
denoising, baselines and metrics; nothing here reimplements those.

Intensity rule (see DESIGN.md): the study's frames are in modality units; the
study's :class:`~denoscope.core.intensity.Normalization` maps them to [0, 1];
noise, models, baselines and metrics work on [0, 1] images with
``data_range=1``; images are shown back in modality units.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.app.params import Params

ProgressFn = Callable[[int, int], None]
StopFn = Callable[[], bool]

#: Names of the metric rows, in table order.
ROWS: tuple[str, ...] = ("noisy", "denoised", "baseline")


def _noop_progress(done: int, total: int) -> None:
    return None


def _never() -> bool:
    return False


@dataclass(frozen=True)
class LoadedStudy:
    """A study with what the viewer needs around it.

    Attributes
    ----------
    study : denoscope.core.io.Study
        Frames in modality units and metadata.
    normalization : denoscope.core.intensity.Normalization
        Modality units <-> [0, 1] for the model and the metrics.
    series : list
        :class:`~denoscope.core.io.SeriesInfo` of every series found at ``path``.
    path : Path
        What the user opened.
    """

    study: Any
    normalization: Any
    series: list
    path: Path


@dataclass
class SliceResult:
    """Noise, denoising, baseline and metrics of one slice for one :class:`Params`.

    Images are float32 (rows, cols) in [0, 1]; ``None`` where not computed
    (no truth in real-input mode, no denoised image without a model).
    """

    index: int
    params: Params
    truth01: np.ndarray | None
    noisy01: np.ndarray
    denoised01: np.ndarray | None
    baseline01: np.ndarray | None
    metrics: dict[str, dict[str, float | None]] = field(default_factory=dict)
    seconds: float | None = None
    device: str | None = None
    device_note: str = ""
    model_name: str | None = None
    model_path: Path | None = None
    sigma: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    display: dict[str, np.ndarray | None] = field(default_factory=dict)
    differences: dict[str, np.ndarray] = field(default_factory=dict)
    diff_scale: float = 1.0
    histogram: tuple[np.ndarray, np.ndarray] | None = None


@dataclass
class SeriesMetrics:
    """PSNR and SSIM per slice of a series for one :class:`Params`.

    Arrays of shape (n_slices,); NaN where a slice was not computed.
    """

    params: Params
    psnr: dict[str, np.ndarray]
    ssim: dict[str, np.ndarray]


# -- loading ----------------------------------------------------------------------------
def load(
    path: str | Path,
    *,
    series_uid: str | None = None,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
) -> LoadedStudy:
    """Load a file or folder through :mod:`denoscope.core.io`.

    Parameters
    ----------
    path : str or Path
        DICOM file or folder, or PNG.
    series_uid : str, optional
        Which series of a multi-series folder.
    progress : callable
        ``progress(done, total)``.
    should_stop : callable
        Unused (loading is one call into core); part of the worker protocol.

    Returns
    -------
    LoadedStudy
        The study, its normalisation and the series found.
    """
    # Import what the next steps need here, off the GUI thread and before the
    # user interacts (imports hold the GIL for long stretches).
    import PIL.PngImagePlugin  # noqa: F401  (16-bit PNG export)

    import denoscope.core.baselines  # noqa: F401
    import denoscope.core.io.write  # noqa: F401
    import denoscope.core.metrics  # noqa: F401
    import denoscope.core.noise  # noqa: F401
    from denoscope.core.intensity import normalization_for
    from denoscope.core.io import list_series, load_study

    path = Path(path)
    progress(0, 2)
    series = list(list_series(path)) if path.is_dir() else []
    if series_uid is None and len(series) > 1:
        # Show the largest series first; the series picker offers the others.
        series_uid = max(series, key=lambda info: info.n_frames).series_uid
    progress(1, 2)
    study = load_study(path, series_uid=series_uid)
    normalization = normalization_for(study.frames, study.modality)
    progress(2, 2)
    return LoadedStudy(study=study, normalization=normalization, series=series, path=path)


# -- models ---------------------------------------------------------------------------
_MODEL_LOCK = threading.Lock()
_MODEL_CACHE: dict[tuple[str, float], Any] = {}


def model_path_for(params: Params) -> Path:
    """The model file used for ``params``: the user's choice, else the shipped one.

    Raises
    ------
    denoscope.core.errors.ModelFileError
        When no model is shipped for the modality.
    """
    if params.model_path is not None:
        return Path(params.model_path)
    from denoscope.core.model_registry import shipped_model

    return Path(shipped_model(params.modality))


def load_model_cached(path: Path) -> Any:
    """Load a model file once (keyed by path and modification time)."""
    from denoscope.core.checkpoint import load_model

    key = (str(Path(path).resolve()), Path(path).stat().st_mtime)
    with _MODEL_LOCK:
        if key not in _MODEL_CACHE:
            _MODEL_CACHE.clear()
            _MODEL_CACHE[key] = load_model(path)
        return _MODEL_CACHE[key]


def _model_name(loaded: Any, path: Path) -> str:
    name = getattr(getattr(loaded, "card", None), "name", None)
    return name if isinstance(name, str) and name else path.stem


# -- one slice --------------------------------------------------------------------------
def _rng(params: Params, index: int) -> np.random.Generator:
    return np.random.default_rng([int(params.seed), int(index)])


def pixel_size_mm(loaded: LoadedStudy) -> float | None:
    """The study's in-plane pixel size in mm (mean of row and column), None when unknown."""
    spacing = loaded.study.pixel_spacing
    if spacing is None or not all(np.isfinite(v) and v > 0 for v in spacing):
        return None
    return float(np.mean(spacing))


def noisy_slice(
    truth01: np.ndarray, params: Params, index: int, *, pixel_size: float | None = None
) -> np.ndarray:
    """The synthetic noisy version of one [0, 1] slice (seeded by seed and slice).

    ``pixel_size`` (mm) reaches the noise models whose physics depends on it
    (low-dose CT: the same dose is noisier on smaller pixels).
    """
    from denoscope.core.noise import add_noise

    noisy = add_noise(
        truth01, params.noise, params.level, rng=_rng(params, index), pixel_size_mm=pixel_size
    )
    return np.asarray(noisy, np.float32)


def _baseline_sigma(params: Params, noisy01: np.ndarray) -> float:
    from denoscope.core.baselines import estimate_sigma

    if params.noise == "gaussian" and not params.real_input:
        return float(params.level)
    return float(estimate_sigma(noisy01))


def _metrics(reference: np.ndarray, test: np.ndarray) -> dict[str, float | None]:
    from denoscope.core.metrics import compute_metrics

    values = compute_metrics(reference, test, data_range=1.0, lpips=False).as_dict()
    values.pop("lpips", None)
    return {k: (None if v is None else float(v)) for k, v in values.items()}


def process(
    loaded: LoadedStudy,
    index: int,
    params: Params,
    *,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
) -> SliceResult:
    """Noise, denoise, baseline and metrics (without LPIPS) for one slice.

    Parameters
    ----------
    loaded : LoadedStudy
        The shown study.
    index : int
        Slice index.
    params : Params
        What to compute.
    progress : callable
        ``progress(done, total)`` of the denoising tiles.
    should_stop : callable
        Cooperative cancellation, checked between steps and by core's ``denoise``.

    Returns
    -------
    SliceResult
        Images in [0, 1] and metrics against the truth (none in real-input mode).
    """
    from denoscope.core.baselines import BASELINES, estimate_sigma
    from denoscope.core.errors import DenoscopeError

    frame = loaded.study.frames[index]
    image01 = np.asarray(loaded.normalization.to_unit(frame), np.float32)
    if params.real_input:
        truth01, noisy01 = None, image01
    else:
        noisy01 = noisy_slice(image01, params, index, pixel_size=pixel_size_mm(loaded))
        truth01 = image01
    result = SliceResult(
        index=index,
        params=params,
        truth01=truth01,
        noisy01=noisy01,
        denoised01=None,
        baseline01=None,
    )
    if should_stop():
        raise _cancelled()

    try:
        path = model_path_for(params)
        loaded_model = load_model_cached(path)
    except (DenoscopeError, OSError) as error:
        result.notes.append(f"No denoised image: {error}")
    else:
        from denoscope.core.inference import denoise

        out = denoise(
            noisy01,
            loaded_model.module,
            device=params.device,
            progress=progress,
            should_stop=should_stop,
        )
        result.denoised01 = np.asarray(out.image, np.float32)
        result.seconds = float(out.seconds)
        result.device = str(out.device)
        result.device_note = out.note or ""
        result.model_path = path
        result.model_name = _model_name(loaded_model, path)
        trained_for = getattr(getattr(loaded_model, "card", None), "modality", None)
        study_modality = loaded.study.modality
        if trained_for not in (None, "any") and study_modality in ("ct", "mri", "xray"):
            if trained_for != study_modality:
                result.notes.append(
                    f"The model {result.model_name!r} was trained for {trained_for.upper()} "
                    f"images; this study is {study_modality.upper()}."
                )
    if should_stop():
        raise _cancelled()

    if params.baseline is not None and params.baseline in BASELINES:
        sigma = _baseline_sigma(params, noisy01)
        result.baseline01 = np.asarray(
            BASELINES[params.baseline].apply(noisy01, level=sigma), np.float32
        )

    _prepare_display(result, loaded, frame)
    if truth01 is not None:
        for row, image in zip(ROWS, (noisy01, result.denoised01, result.baseline01), strict=True):
            if image is not None:
                result.metrics[row] = _metrics(truth01, image)
    else:
        result.sigma["input"] = float(estimate_sigma(noisy01))
        if result.denoised01 is not None:
            result.sigma["denoised"] = float(estimate_sigma(result.denoised01))
            result.sigma["residual std"] = float(np.std(noisy01 - result.denoised01))
    return result


def _prepare_display(result: SliceResult, loaded: LoadedStudy, frame: np.ndarray) -> None:
    """Images in modality units and every difference image, computed off the GUI thread.

    The colour scale of the difference pane is the 99.5th percentile of
    ``|noisy - reference|`` (reference: the truth, or the denoised image in
    real-input mode), shared by all difference modes so they compare fairly.
    """

    def units(image01: np.ndarray | None) -> np.ndarray | None:
        if image01 is None:
            return None
        return np.asarray(loaded.normalization.from_unit(image01), np.float32)

    noisy, denoised = units(result.noisy01), units(result.denoised01)
    truth = np.asarray(frame, np.float32) if result.truth01 is not None else None
    result.display = {"noisy": noisy, "denoised": denoised, "truth": truth}
    if denoised is not None:
        result.differences["residual"] = noisy - denoised
    if truth is not None:
        result.differences["noisy-truth"] = np.abs(noisy - truth)
        if denoised is not None:
            result.differences["denoised-truth"] = np.abs(denoised - truth)
    shown = truth if truth is not None else noisy
    counts, edges = np.histogram(shown[np.isfinite(shown)], bins=256)
    result.histogram = (counts, edges)
    reference = truth if truth is not None else denoised
    if reference is not None:
        spread = np.abs(noisy - reference)
        result.diff_scale = float(max(np.percentile(spread, 99.5), 1e-6))


def _cancelled() -> Exception:
    from denoscope.core.inference import Cancelled

    return Cancelled()


def lpips_for(
    result: SliceResult,
    *,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
) -> dict[str, float | None]:
    """LPIPS of each metric row against the truth (``None`` when unavailable).

    Returns
    -------
    dict
        Row name -> LPIPS distance; the key ``"_status"`` never appears, an
        unavailable LPIPS gives ``None`` values.
    """
    from denoscope.core.metrics import lpips_distance, lpips_status

    if result.truth01 is None:
        return {}
    available, _message = lpips_status()
    images = dict(zip(ROWS, (result.noisy01, result.denoised01, result.baseline01), strict=True))
    if not available:
        return {row: None for row, image in images.items() if image is not None}
    device = result.device or "cpu"
    out: dict[str, float | None] = {}
    todo = [(row, image) for row, image in images.items() if image is not None]
    for done, (row, image) in enumerate(todo):
        if should_stop():
            raise _cancelled()
        out[row] = float(lpips_distance(result.truth01, image, data_range=1.0, device=device))
        progress(done + 1, len(todo))
    return out


def series_metrics(
    loaded: LoadedStudy,
    params: Params,
    *,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
) -> SeriesMetrics:
    """PSNR and SSIM of noisy and denoised against truth for every slice of a series."""
    from denoscope.core.errors import DenoscopeError
    from denoscope.core.metrics import psnr, ssim

    n = int(loaded.study.frames.shape[0])
    out = SeriesMetrics(
        params=params,
        psnr={row: np.full(n, np.nan) for row in ROWS[:2]},
        ssim={row: np.full(n, np.nan) for row in ROWS[:2]},
    )
    try:
        model = load_model_cached(model_path_for(params)).module
    except (DenoscopeError, OSError):
        model = None
    from denoscope.core.inference import denoise

    pixel_size = pixel_size_mm(loaded)
    for index in range(n):
        if should_stop():
            raise _cancelled()
        truth01 = np.asarray(loaded.normalization.to_unit(loaded.study.frames[index]), np.float32)
        noisy01 = noisy_slice(truth01, params, index, pixel_size=pixel_size)
        images = {"noisy": noisy01}
        if model is not None:
            images["denoised"] = np.asarray(
                denoise(noisy01, model, device=params.device, should_stop=should_stop).image,
                np.float32,
            )
        for row, image in images.items():
            out.psnr[row][index] = float(psnr(truth01, image, data_range=1.0))
            out.ssim[row][index] = float(ssim(truth01, image, data_range=1.0))
        progress(index + 1, n)
    return out


# -- tables -------------------------------------------------------------------------------
#: Metric columns: key, label, higher is better.
METRIC_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("psnr", "PSNR (dB)", True),
    ("ssim", "SSIM", True),
    ("mae", "MAE", False),
    ("mse", "MSE", False),
    ("gmsd", "Edge (GMSD)", False),
    ("lpips", "LPIPS", False),
)


def row_label(row: str, params: Params) -> str:
    """Human label of a metric row ("Baseline: Median"...)."""
    if row == "baseline" and params.baseline:
        from denoscope.core.baselines import BASELINES

        baseline = BASELINES.get(params.baseline)
        return f"{baseline.label if baseline else params.baseline} vs truth"
    return {"noisy": "Noisy vs truth", "denoised": "Denoised vs truth"}.get(row, row)


def metric_table(
    result: SliceResult, lpips: dict[str, float | None] | None = None
) -> list[dict[str, Any]]:
    """The metrics of a result as rows, deltas included, for the table and CSV.

    Parameters
    ----------
    result : SliceResult
        The shown result.
    lpips : dict, optional
        Row -> LPIPS value (missing while it is being computed).

    Returns
    -------
    list of dict
        One dict per row: ``row`` (key), ``label`` and one value (or ``None``) per
        metric of :data:`METRIC_COLUMNS`. Delta rows follow: denoised − noisy and,
        with a baseline, denoised − baseline.
    """
    lpips = lpips or {}
    rows = []
    for row in ROWS:
        values = result.metrics.get(row)
        if values is None:
            continue
        entry: dict[str, Any] = {"row": row, "label": row_label(row, result.params)}
        for key, _label, _higher in METRIC_COLUMNS:
            entry[key] = lpips.get(row) if key == "lpips" else values.get(key)
        rows.append(entry)
    by_row = {entry["row"]: entry for entry in rows}
    for other in ("noisy", "baseline"):
        if "denoised" in by_row and other in by_row:
            delta: dict[str, Any] = {
                "row": f"delta-{other}",
                "label": f"Δ denoised − {other}",
            }
            for key, _label, _higher in METRIC_COLUMNS:
                a, b = by_row["denoised"].get(key), by_row[other].get(key)
                delta[key] = None if a is None or b is None else float(a) - float(b)
            rows.append(delta)
    return rows
