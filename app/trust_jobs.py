"""Trust work the viewer runs off the GUI thread (plain functions, no Qt): maps and lesion tests.

Each function takes ``progress(done, total)`` and ``should_stop()`` keywords
(the :class:`~denoscope.app.workers.LatestWorker` protocol) and calls
:mod:`denoscope.core.trust` for everything it computes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Map key -> label shown in the viewer.
MAPS: dict[str, str] = {
    "removed": "Removed structure (z)",
    "invented": "Invented edges",
    "lost": "Lost edges",
    "signed": "Denoised − truth (signed)",
    "uncertainty": "Uncertainty (SD)",
}

#: Noise re-draws of the viewer's uncertainty map when the truth is known.
VIEWER_REDRAWS = 4


@dataclass
class TrustMap:
    """One computed map for the shown slice.

    Attributes
    ----------
    key : str
        Key of :data:`MAPS`.
    image : ndarray or None
        float32 (rows, cols) in ``unit``; None when the map needs a truth that is missing.
    unit : str
        Unit of the values.
    signed : bool
        Whether the colour scale is symmetric around 0.
    params : dict
        What the map depends on (window, scale, K...), for exports.
    note : str
        Why there is no image, or how it was made.
    """

    key: str
    image: np.ndarray | None
    unit: str
    signed: bool
    params: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _model(params: Any) -> Any:
    from denoscope.core.review.models import load_model_cached, model_path_for

    return load_model_cached(model_path_for(params.modality, params.model_path))


def _denoiser(loaded: Any, params: Any, real: bool, should_stop: Callable[[], bool]) -> Any:
    """The shown model as the viewer runs it (noise-level map from the noise model, strength)."""
    from denoscope.app.pipeline import pixel_size_mm
    from denoscope.core.trust import model_denoiser

    return model_denoiser(
        _model(params),
        device=params.device,
        should_stop=should_stop,
        noise=None if real else params.noise,
        level=None if real else params.level,
        pixel_size_mm=pixel_size_mm(loaded),
        strength=float(getattr(params, "strength", 1.0)),
    )


def _unit(loaded: Any) -> tuple[float, str]:
    span = float(loaded.normalization.span)
    return span, "HU" if loaded.study.modality == "ct" else "a.u."


def compute_map(
    loaded: Any,
    result: Any,
    key: str,
    *,
    progress: Callable[[int, int], None],
    should_stop: Callable[[], bool],
) -> TrustMap:
    """The map ``key`` of the shown :class:`~denoscope.app.pipeline.SliceResult`."""
    from denoscope.app.pipeline import pixel_size_mm
    from denoscope.core.trust import (
        EDGE_SCALE_PX,
        REMOVED_WINDOW_PX,
        edge_maps,
        local_sigma,
        redraw_uncertainty,
        removed_structure,
        tta_uncertainty,
    )
    from denoscope.core.trust.lesions import anatomy_mask
    from denoscope.core.trust.removed import correlation_factor

    span, unit = _unit(loaded)
    params = result.params
    if result.denoised01 is None:
        return TrustMap(key, None, unit, False, note="no denoised image")
    real = result.truth01 is None
    if key == "removed":
        sigma = local_sigma(
            None if real else params.noise,
            result.truth01,
            result.noisy01,
            None if real else params.level,
            pixel_size_mm=pixel_size_mm(loaded),
        )
        correlation = 1.0
        if not real:  # calibrate on the known noise realisation (correlated CT noise)
            correlation = correlation_factor(
                result.noisy01 - result.truth01, sigma, mask=anatomy_mask(result.truth01)
            )
        image = removed_structure(result.noisy01, result.denoised01, sigma, correlation=correlation)
        source = "estimated from the input" if real else f"{params.noise} noise model"
        return TrustMap(
            key,
            image,
            "z",
            True,
            {"window_px": REMOVED_WINDOW_PX, "sigma": source, "correlation": round(correlation, 4)},
        )
    if key in ("invented", "lost", "signed"):
        if real:
            return TrustMap(key, None, unit, key == "signed", note="needs the ground truth")
        maps = edge_maps(result.denoised01, result.truth01, scale=span, unit=unit)
        image = getattr(maps, key)
        return TrustMap(
            key,
            image,
            unit if key == "signed" else f"{unit}/px",
            key == "signed",
            {"edge_scale_px": EDGE_SCALE_PX} if key != "signed" else {},
        )
    if key == "uncertainty":
        model = _denoiser(loaded, params, real, should_stop)
        if real:
            u = tta_uncertainty(
                result.noisy01,
                model,
                scale=span,
                unit=unit,
                progress=progress,
                should_stop=should_stop,
            )
        else:
            u = redraw_uncertainty(
                result.truth01,
                model,
                noise=params.noise,
                level=params.level,
                draws=VIEWER_REDRAWS,
                rng=[int(params.seed), int(result.index), 7],
                pixel_size_mm=pixel_size_mm(loaded),
                scale=span,
                unit=unit,
                progress=progress,
                should_stop=should_stop,
            )
        what = "8 flips/rotations (TTA)" if real else f"K = {u.draws} noise re-draws"
        return TrustMap(
            key,
            u.std,
            unit,
            False,
            {"kind": u.kind, "draws": u.draws, "seconds": round(u.seconds, 2)},
            note=f"SD over {what}, {u.seconds:.1f} s",
        )
    raise ValueError(f"unknown map {key!r}")


def lesion_run(
    loaded: Any,
    result: Any,
    *,
    n_lesions: int = 8,
    progress: Callable[[int, int], None],
    should_stop: Callable[[], bool],
) -> Any:
    """Insert lesions into the shown slice's truth and test the model (and noisy input).

    Returns
    -------
    denoscope.core.trust.LesionTestResult
        With images kept (lesion-present outputs for the panes).
    """
    from denoscope.app.pipeline import pixel_size_mm
    from denoscope.core.errors import ParameterError
    from denoscope.core.trust import lesion_test

    if result.truth01 is None:
        raise ParameterError(
            "the lesion test needs a clean image",
            fix="turn off 'real input' so that synthetic noise is added to the study",
        )
    params = result.params
    model = _denoiser(loaded, params, False, should_stop)
    return lesion_test(
        result.truth01,
        {"model": model},
        noise=params.noise,
        level=params.level,
        n_lesions=n_lesions,
        seed=int(params.seed) * 1000 + int(result.index),
        pixel_size_mm=pixel_size_mm(loaded),
        keep_images=True,
        progress=progress,
        should_stop=should_stop,
    )
