"""Review one slice: synthetic noise, the model, a classical baseline and the metrics.

Plain functions for worker threads: each takes ``progress(done, total)`` and
``should_stop() -> bool`` keywords and raises
:class:`~denoscope.core.errors.Cancelled` when asked to stop. The viewer
(``denoscope.app.pipeline``), ``denoscope denoise`` and exports call these, so
for the same study and :class:`~denoscope.core.review.params.ReviewParams`
they produce the same arrays.

Intensity rule: the study's frames are in modality units; the normalisation of
:mod:`denoscope.core.review.study` maps them to [0, 1]; noise, the model,
baselines and metrics work on [0, 1] images with ``data_range=1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from denoscope.core.errors import Cancelled, DenoscopeError
from denoscope.core.intensity import Normalization
from denoscope.core.metrics.table import METRIC_KEYS
from denoscope.core.review.params import ReviewParams
from denoscope.core.review.study import (
    ReviewStudy,
    mismatch_note,
    normalization_for_model,
    window_note,
)

if TYPE_CHECKING:
    from denoscope.core.checkpoint import LoadedModel

ProgressFn = Callable[[int, int], None]
StopFn = Callable[[], bool]

#: Metric rows of a result, in table order: each image against the truth.
ROWS: tuple[str, ...] = ("noisy", "denoised", "baseline")


def _noop_progress(done: int, total: int) -> None:
    return None


def _never() -> bool:
    return False


@dataclass
class SliceReview:
    """Noise, denoising, baseline and metrics of one slice for one :class:`ReviewParams`.

    Images are float32 (rows, cols) in [0, 1]; None where not computed (no
    truth for real input, no denoised image without a model, no baseline).

    Attributes
    ----------
    index : int
        Slice index.
    params : ReviewParams
        What was computed.
    normalization : Normalization
        The [0, 1] mapping used (:func:`normalization_for_model`).
    metrics : dict
        Row (:data:`ROWS`) -> metric key -> value, against the truth, without
        LPIPS (see :func:`lpips_for`).
    sigma : dict
        No-reference readouts for real input (estimated σ of the input, the
        denoised image, and the residual's standard deviation).
    noise_level : float or None
        Mean of the noise-level map given to the network (after strength), None
        for blind networks.
    baseline_sigma : float or None
        σ given to the baseline.
    notes : list of str
        What the reader should know (no model, modality mismatch, device fallback).
    modality_warning : str or None
        The modality-mismatch note (also in ``notes``): the model was trained for
        another modality than the study's (or the study's is unknown). Shown in
        the denoised pane's title and burned into exports.
    metrics_pending : bool
        The baseline and metrics are still to come (:func:`add_metrics`).
    """

    index: int
    params: ReviewParams
    truth01: np.ndarray | None
    noisy01: np.ndarray
    denoised01: np.ndarray | None
    baseline01: np.ndarray | None
    normalization: Normalization | None = None
    metrics: dict[str, dict[str, float | None]] = field(default_factory=dict)
    seconds: float | None = None
    device: str | None = None
    device_note: str = ""
    model_name: str | None = None
    model_path: Path | None = None
    model_sha256: str | None = None
    noise_level: float | None = None
    baseline_sigma: float | None = None
    sigma: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    modality_warning: str | None = None
    metrics_pending: bool = False


def slice_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of a slice's synthetic noise: seeded by ``[seed, index]``."""
    return np.random.default_rng([int(seed), int(index)])


def synthetic_noise(
    truth01: np.ndarray, params: ReviewParams, index: int, *, pixel_size_mm: float | None = None
) -> np.ndarray:
    """The synthetic noisy version of one [0, 1] slice (seeded by seed and slice).

    ``pixel_size_mm`` reaches noise models whose physics depends on it (low-dose CT).
    """
    from denoscope.core.noise import add_noise

    noisy = add_noise(
        truth01,
        params.noise,
        params.level,
        rng=slice_rng(params.seed, index),
        pixel_size_mm=pixel_size_mm,
    )
    return np.asarray(noisy, np.float32)


def baseline_sigma(
    noise: str | None,
    level: float | None,
    noisy01: np.ndarray,
    clean01: np.ndarray | None = None,
    *,
    mode: str = "estimate",
) -> float:
    """The Gaussian-equivalent σ given to a classical baseline (the one rule).

    Parameters
    ----------
    noise, level : str and float, or None
        The synthetic noise (None for real input).
    noisy01 : ndarray
        The noisy image.
    clean01 : ndarray, optional
        The truth, for ``mode="oracle"``.
    mode : {"estimate", "oracle"}
        For non-Gaussian noise: the blind wavelet estimate
        (:func:`denoscope.core.baselines.estimate_sigma`, the viewer) or the
        measured standard deviation of noisy − clean (evaluation, favouring the
        baselines).

    Returns
    -------
    float
        The level itself for synthetic Gaussian noise, else as ``mode`` says.
    """
    from denoscope.core.baselines import estimate_sigma

    if noise is not None and noise.startswith("gaussian") and level is not None:
        return float(level)
    if mode == "oracle" and clean01 is not None:
        return float(np.std(np.asarray(noisy01, np.float64) - clean01))
    return float(estimate_sigma(noisy01))


def noise_level_map(
    module: Any,
    params: ReviewParams,
    noisy01: np.ndarray,
    truth01: np.ndarray | None,
    *,
    pixel_size_mm: float | None = None,
) -> np.ndarray | None:
    """The per-pixel noise level given to a network that takes one, times ``strength``.

    Synthetic noise: the noise model's own map
    (:func:`denoscope.core.noise.sigma_map.noise_sigma_map`); real input: the
    estimate from the noisy image (``estimate_sigma_map``). Blind networks
    (no ``noise_level_input``) get None.
    """
    from denoscope.core.noise.sigma_map import network_noise_map

    return network_noise_map(
        module,
        noisy01,
        noise=None if params.real_input else params.noise,
        level=params.level,
        clean01=truth01,
        strength=params.strength,
        pixel_size_mm=pixel_size_mm,
    )


def run_model(
    loaded: LoadedModel,
    noisy01: np.ndarray,
    params: ReviewParams,
    *,
    truth01: np.ndarray | None = None,
    pixel_size_mm: float | None = None,
    tile: int = 512,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> tuple[Any, float | None]:
    """Denoise one [0, 1] slice with a loaded model, with its noise-level map if it takes one.

    Returns
    -------
    tuple
        (:class:`~denoscope.core.inference.DenoiseResult`, mean noise level or None).
    """
    from denoscope.core.inference import denoise

    level = noise_level_map(loaded.module, params, noisy01, truth01, pixel_size_mm=pixel_size_mm)
    kwargs: dict[str, Any] = {}
    if level is not None:
        kwargs["noise_level"] = level
    out = denoise(
        noisy01,
        loaded,
        device=params.device,
        tile=tile,
        progress=progress,
        should_stop=should_stop,
        **kwargs,
    )
    bad = int(np.size(out.image) - np.count_nonzero(np.isfinite(out.image)))
    if bad:  # the network failed, not the image: say so (issue 14)
        from denoscope.core.errors import ModelFileError

        raise ModelFileError(
            "the model produced NaN or infinite values on this image",
            path=loaded.path,
            got=f"{bad} non-finite output pixel(s) of {np.size(out.image)}",
            expected="finite values in [0, 1]",
            fix="The model's weights are corrupt or it is unstable on this input; "
            "use another model file",
        )
    return out, None if level is None else float(np.mean(level))


def unit_slice(review: ReviewStudy, index: int, normalization: Normalization) -> np.ndarray:
    """Slice ``index`` mapped to float32 [0, 1]."""
    return np.asarray(normalization.to_unit(review.study.frames[index]), np.float32)


def _metric_values(reference: np.ndarray, test: np.ndarray) -> dict[str, float | None]:
    from denoscope.core.metrics import compute_metrics

    values = compute_metrics(reference, test, data_range=1.0, lpips=False).as_dict()
    return {
        k: (None if values.get(k) is None else float(values[k]))
        for k in METRIC_KEYS
        if k != "lpips"
    }


def review_slice(
    review: ReviewStudy,
    index: int,
    params: ReviewParams,
    *,
    tile: int = 512,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
    metrics: bool = True,
) -> SliceReview:
    """Noise, denoise, baseline and metrics (without LPIPS) for one slice.

    Parameters
    ----------
    review : ReviewStudy
        The prepared study.
    index : int
        Slice index.
    params : ReviewParams
        What to compute.
    tile : int, optional
        Largest tile side for the network.
    progress : callable
        ``progress(done, total)`` of the denoising tiles.
    should_stop : callable
        Cooperative cancellation, checked between steps and between tiles.
    metrics : bool, optional
        False: stop after the denoised image (``metrics_pending`` is set; the
        viewer shows a big image first and calls :func:`add_metrics` next).

    Returns
    -------
    SliceReview
        A missing model is not an error here: the result has no denoised image
        and says why in ``notes``.

    Raises
    ------
    Cancelled
        ``should_stop()`` returned True.
    """
    from denoscope.core.review.models import load_model_cached, model_name, model_path_for

    loaded = None
    path = None
    notes: list[str] = []
    try:
        path = model_path_for(params.modality, params.model_path)
        loaded = load_model_cached(path)
    except (DenoscopeError, OSError) as error:
        notes.append(f"No denoised image: {error}")
    normalization = normalization_for_model(review, None if loaded is None else loaded.card)
    image01 = unit_slice(review, index, normalization)
    pixel_size = review.pixel_size_mm
    if params.real_input:
        truth01, noisy01 = None, image01
    else:
        truth01 = image01
        noisy01 = synthetic_noise(image01, params, index, pixel_size_mm=pixel_size)
    result = SliceReview(
        index=index,
        params=params,
        truth01=truth01,
        noisy01=noisy01,
        denoised01=None,
        baseline01=None,
        normalization=normalization,
        notes=notes,
    )
    if should_stop():
        raise Cancelled("review cancelled")
    if loaded is not None and path is not None:
        out, level = run_model(
            loaded,
            noisy01,
            params,
            truth01=truth01,
            pixel_size_mm=pixel_size,
            tile=tile,
            progress=progress,
            should_stop=should_stop,
        )
        result.denoised01 = np.asarray(out.image, np.float32)
        result.seconds = float(out.seconds)
        result.device = str(out.device)
        result.device_note = out.note or ""
        result.model_path = Path(path)
        result.model_name = model_name(loaded, path)
        result.model_sha256 = loaded.card.weights_sha256
        result.noise_level = level
        note = mismatch_note(review, loaded.card, result.model_name)
        if note:
            result.notes.append(note)
            result.modality_warning = note
        else:
            note = window_note(review, loaded.card, normalization, result.model_name)
            if note:
                result.notes.append(note)
    if should_stop():
        raise Cancelled("review cancelled")

    if not metrics:
        result.metrics_pending = True
        return result
    return add_metrics(result)


def add_metrics(result: SliceReview) -> SliceReview:
    """The baseline and the metrics of a reviewed slice (in place; see :func:`review_slice`).

    Against the truth when there is one, else the no-reference noise estimates.

    Returns
    -------
    SliceReview
        ``result``, with ``baseline01``, ``metrics`` (or ``sigma``) filled and
        ``metrics_pending`` False.
    """
    from denoscope.core.baselines import BASELINES, estimate_sigma

    params, noisy01, truth01 = result.params, result.noisy01, result.truth01
    if params.baseline is not None and params.baseline in BASELINES:
        sigma = baseline_sigma(
            None if params.real_input else params.noise,
            None if params.real_input else params.level,
            noisy01,
        )
        result.baseline_sigma = sigma
        result.baseline01 = np.asarray(
            BASELINES[params.baseline].apply(noisy01, level=min(sigma, 1.0)), np.float32
        )
    if truth01 is not None:
        for row, image in zip(ROWS, (noisy01, result.denoised01, result.baseline01), strict=True):
            if image is not None:
                result.metrics[row] = _metric_values(truth01, image)
    else:
        result.sigma["input"] = float(estimate_sigma(noisy01))
        if result.denoised01 is not None:
            result.sigma["denoised"] = float(estimate_sigma(result.denoised01))
            result.sigma["residual std"] = float(np.std(noisy01 - result.denoised01))
    result.metrics_pending = False
    return result


def lpips_for(
    result: SliceReview,
    *,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
) -> dict[str, float | None]:
    """LPIPS of each metric row against the truth.

    Returns
    -------
    dict
        Row name -> LPIPS distance, or None for every row when LPIPS is
        unavailable (no weights); empty without a truth. Images longer than
        :data:`~denoscope.core.review.lpips_copy.LPIPS_MAX_SIDE` pixels are
        compared on block-mean downsampled copies
        (:func:`~denoscope.core.review.lpips_copy.lpips_label` says how).
    """
    from denoscope.core.metrics import lpips_distance, lpips_status

    if result.truth01 is None:
        return {}
    images = dict(zip(ROWS, (result.noisy01, result.denoised01, result.baseline01), strict=True))
    todo = [(row, image) for row, image in images.items() if image is not None]
    available, _message = lpips_status()
    if not available:
        return {row: None for row, _image in todo}
    from denoscope.core.review.lpips_copy import lpips_copy, lpips_factor

    device = result.device or "cpu"
    factor = lpips_factor(result.truth01.shape)  # big images: a downsampled copy, labelled
    truth = lpips_copy(result.truth01, factor)
    out: dict[str, float | None] = {}
    for done, (row, image) in enumerate(todo):
        if should_stop():
            raise Cancelled("LPIPS cancelled")
        copy = lpips_copy(image, factor)
        out[row] = float(lpips_distance(truth, copy, data_range=1.0, device=device))
        progress(done + 1, len(todo))
    return out


@dataclass
class SeriesMetrics:
    """PSNR and SSIM per slice of a series for one :class:`ReviewParams`.

    Arrays of shape (n_slices,); NaN where a slice was not computed.
    """

    params: ReviewParams
    psnr: dict[str, np.ndarray]
    ssim: dict[str, np.ndarray]


def series_metrics(
    review: ReviewStudy,
    params: ReviewParams,
    *,
    progress: ProgressFn = _noop_progress,
    should_stop: StopFn = _never,
) -> SeriesMetrics:
    """PSNR and SSIM of noisy and denoised against truth for every slice of a series."""
    from denoscope.core.metrics import psnr, ssim
    from denoscope.core.review.models import load_model_cached, model_path_for

    n = review.n_frames
    out = SeriesMetrics(
        params=params,
        psnr={row: np.full(n, np.nan) for row in ROWS[:2]},
        ssim={row: np.full(n, np.nan) for row in ROWS[:2]},
    )
    try:
        loaded = load_model_cached(model_path_for(params.modality, params.model_path))
    except (DenoscopeError, OSError):
        loaded = None
    normalization = normalization_for_model(review, None if loaded is None else loaded.card)
    pixel_size = review.pixel_size_mm
    for index in range(n):
        if should_stop():
            raise Cancelled("series metrics cancelled")
        truth01 = unit_slice(review, index, normalization)
        noisy01 = synthetic_noise(truth01, params, index, pixel_size_mm=pixel_size)
        images = {"noisy": noisy01}
        if loaded is not None:
            denoised, _level = run_model(
                loaded,
                noisy01,
                params,
                truth01=truth01,
                pixel_size_mm=pixel_size,
                should_stop=should_stop,
            )
            images["denoised"] = np.asarray(denoised.image, np.float32)
        for row, image in images.items():
            out.psnr[row][index] = float(psnr(truth01, image, data_range=1.0))
            out.ssim[row][index] = float(ssim(truth01, image, data_range=1.0))
        progress(index + 1, n)
    return out


def row_label(row: str, params: ReviewParams) -> str:
    """Human label of a metric row (``"Median vs truth"``, ``"Δ denoised − noisy"``)."""
    if row == "baseline" and params.baseline:
        from denoscope.core.baselines import BASELINES

        baseline = BASELINES.get(params.baseline)
        return f"{baseline.label if baseline else params.baseline} vs truth"
    if row.startswith("delta-"):
        return f"Δ denoised − {row.removeprefix('delta-')}"
    return {"noisy": "Noisy vs truth", "denoised": "Denoised vs truth"}.get(row, row)


def metric_rows(
    result: SliceReview, lpips: dict[str, float | None] | None = None
) -> list[dict[str, Any]]:
    """The metrics of a result as rows, deltas included: the viewer's table, CSV and sidecars.

    Parameters
    ----------
    result : SliceReview
        The result.
    lpips : dict, optional
        Row -> LPIPS value (missing while it is being computed).

    Returns
    -------
    list of dict
        One dict per row: ``row`` (key), ``label`` and one value (or None) per
        key of :data:`~denoscope.core.metrics.table.METRICS`. Delta rows follow:
        ``delta-noisy`` (denoised − noisy) and, with a baseline,
        ``delta-baseline``.
    """
    lpips = lpips or {}
    rows = []
    for row in ROWS:
        values = result.metrics.get(row)
        if values is None:
            continue
        entry: dict[str, Any] = {"row": row, "label": row_label(row, result.params)}
        for key in METRIC_KEYS:
            entry[key] = lpips.get(row) if key == "lpips" else values.get(key)
        rows.append(entry)
    by_row = {entry["row"]: entry for entry in rows}
    for other in ("noisy", "baseline"):
        if "denoised" in by_row and other in by_row:
            name = f"delta-{other}"
            delta: dict[str, Any] = {"row": name, "label": row_label(name, result.params)}
            for key in METRIC_KEYS:
                a, b = by_row["denoised"].get(key), by_row[other].get(key)
                delta[key] = None if a is None or b is None else float(a) - float(b)
            rows.append(delta)
    return rows
