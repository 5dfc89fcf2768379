"""The provenance record of a review result: what every export writes beside its pixels.

One function, :func:`provenance`, builds it for the CLI (``denoise --json``) and
the viewer's exports (comparison sidecar, captions), so both describe the same
result the same way. It consults :mod:`denoscope.core.privacy`: without
``identifying=True`` it holds no identifying attribute (no names, IDs, dates,
UIDs, file names or free-text descriptions); with it, only the patient's name,
ID and the study date are added (:func:`denoscope.core.privacy.caption_identity`).
"""

from __future__ import annotations

import math
from typing import Any

from denoscope.core.review.slice import SliceReview, metric_rows
from denoscope.core.review.study import ReviewStudy

#: Keys of a record that change from run to run (timings, clock); everything else is
#: determined by the study, the parameters and the model.
VOLATILE_KEYS: tuple[str, ...] = ("created", "inference_seconds")


def json_number(value: Any) -> Any:
    """A float JSON can hold: ``"inf"``, ``"-inf"``, ``"nan"`` as strings; others unchanged."""
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else ("-inf" if value < 0 else "nan")
    return value


def provenance(
    review: ReviewStudy,
    result: SliceReview,
    *,
    lpips: dict[str, float | None] | None = None,
    identifying: bool = False,
) -> dict[str, Any]:
    """Everything needed to reproduce and judge one review result (JSON-serialisable).

    Parameters
    ----------
    review : ReviewStudy
        The study.
    result : SliceReview
        The result of :func:`~denoscope.core.review.slice.review_slice`.
    lpips : dict, optional
        Row -> LPIPS value, when computed.
    identifying : bool, optional
        Add the patient's name, ID and the study date (nothing else).

    Returns
    -------
    dict
        Keys: ``denoscope_version``, ``created``, ``study``, ``normalization``,
        ``real_input``, ``noise``, ``strength``, ``model``, ``device``,
        ``inference_seconds``, ``baseline``, ``metrics_data_range``, ``metrics``,
        ``no_reference``, ``notes``, ``identifying_information_included`` (and
        ``patient`` when identifying). :data:`VOLATILE_KEYS` vary between runs.
    """
    from datetime import UTC, datetime

    from denoscope import __version__
    from denoscope.core.noise import NOISE_MODELS
    from denoscope.core.privacy import caption_identity

    study, params = review.study, result.params
    noise = NOISE_MODELS.get(params.noise)
    normalization = result.normalization or review.normalization
    record: dict[str, Any] = {
        "denoscope_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "study": {
            "modality": str(review.modality),
            "dicom_modality": study.dicom_modality,
            "unit": review.unit,
            "n_frames": review.n_frames,
            "shape": [int(study.frames.shape[1]), int(study.frames.shape[2])],
            "slice": int(result.index),
            "pixel_spacing_mm": None
            if study.pixel_spacing is None
            else [float(v) for v in study.pixel_spacing],
            "loading_notes": list(getattr(study, "notes", ())),
            "stacked_from_series": list(getattr(study, "stacked_from", ())),
        },
        "normalization": normalization.model_dump(mode="json"),
        "real_input": bool(params.real_input),
        "noise": None
        if params.real_input
        else {
            "model": params.noise,
            "label": noise.label if noise else params.noise,
            "level": float(params.level),
            "unit": noise.unit if noise else "",
            "seed": int(params.seed),
        },
        "strength": float(params.strength),
        "model": {
            "name": result.model_name,
            "file": None if result.model_path is None else result.model_path.name,
            "weights_sha256": result.model_sha256,
            "modality": str(params.modality),
            "noise_level_mean": result.noise_level,
            # a network given a noise map changes no pixel by more than this many times it
            "change_limit_sigmas": None if result.noise_level is None else _change_limit(),
        },
        "device": {"requested": params.device, "used": result.device, "note": result.device_note},
        "inference_seconds": result.seconds,
        "baseline": None
        if params.baseline is None
        else {"name": params.baseline, "sigma": result.baseline_sigma},
        "metrics_data_range": 1.0,
        "lpips_computed_on": _lpips_label(result),
        "metrics": [
            {k: json_number(v) for k, v in row.items()} for row in metric_rows(result, lpips)
        ],
        "no_reference": {k: float(v) for k, v in result.sigma.items()},
        "notes": list(result.notes),
        "modality_warning": getattr(result, "modality_warning", None),
        "identifying_information_included": bool(identifying),
    }
    if identifying:
        record["patient"] = caption_identity(study)
    return record


def _change_limit() -> float:
    from denoscope.core.inference import CHANGE_LIMIT

    return float(CHANGE_LIMIT)


def _lpips_label(result: Any) -> str | None:
    """How LPIPS was computed (full resolution or a downsampled copy); None without truth."""
    from denoscope.core.review.lpips_copy import lpips_label

    truth = getattr(result, "truth01", None)
    return None if truth is None else lpips_label(truth.shape)


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The record without its :data:`VOLATILE_KEYS` (to compare two runs)."""
    return {k: v for k, v in record.items() if k not in VOLATILE_KEYS}


def derived_description(record: dict[str, Any]) -> str:
    """What a derived DICOM's DerivationDescription says, from a provenance record.

    Example: ``"Denoscope 0.1.0 denoised: Denoscope CT res-cae v1 (weights sha256
    1a2b3c4d5e6f), normalisation fixed [-1024, 3071] -> [0, 1], strength 1"``.
    """
    model = record["model"]
    norm = record["normalization"]
    sha = (model.get("weights_sha256") or "")[:12] or "unknown"
    text = (
        f"Denoscope {record['denoscope_version']} denoised: {model.get('name') or 'no model'} "
        f"(weights sha256 {sha}), normalisation {norm['kind']} "
        f"[{norm['low']:g}, {norm['high']:g}] -> [0, 1], strength {record['strength']:g}"
    )
    noise = record.get("noise")
    if noise:
        text += f", synthetic {noise['model']} noise level {noise['level']:g} seed {noise['seed']}"
    return text
