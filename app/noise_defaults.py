"""Physical noise by default, and noise levels in the study's physical units (no Qt).

A study opens with the noise its acquisition really has: low-dose CT noise
for CT, Rician noise for MRI, quantum + detector noise for X-ray (Gaussian for
an unknown modality). The level is shown in the noise model's own unit (dose
fraction, σ, photons) and in the study's units: the noise SD measured on the
shown slice (``noisy − truth``, in HU for CT; over the body, HU > −900, for
CT), and for Gaussian and Rician noise the σ converted through the study's
normalisation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The physical noise of each modality.
PHYSICAL_NOISE: dict[str, str] = {"ct": "lowdose-ct", "mri": "rician", "xray": "xray"}

#: CT pixels below this (HU) are air: left out of the measured noise SD.
CT_BODY_HU = -900.0

_MODALITY_NAMES = {"ct": "CT", "mri": "MRI", "xray": "X-ray"}


def default_noise(modality: str) -> str:
    """The noise-model key a study of ``modality`` opens with."""
    return PHYSICAL_NOISE.get(str(modality), "gaussian")


def fits(noise: str, modality: str) -> bool:
    """Whether noise model ``noise`` models ``modality``'s acquisition."""
    from denoscope.core.noise import NOISE_MODELS

    model = NOISE_MODELS.get(noise)
    return model is None or model.fits(str(modality)) or modality not in _MODALITY_NAMES


def mismatch_text(noise: str, modality: str) -> str | None:
    """A warning when ``noise`` does not model ``modality`` (None when it does)."""
    from denoscope.core.noise import NOISE_MODELS

    if fits(noise, modality):
        return None
    model = NOISE_MODELS[noise]
    meant = ", ".join(_MODALITY_NAMES.get(m, m) for m in sorted(model.modalities or ()))
    return (
        f"{model.label} noise models {meant} acquisitions; this study is "
        f"{_MODALITY_NAMES.get(modality, modality)}. Its result is not physical here "
        f"(use {NOISE_MODELS[default_noise(modality)].label} or Gaussian)."
    )


def measured_noise_sd(result: Any, modality: str) -> float | None:
    """SD of ``noisy − truth`` of a result in modality units (None without a truth).

    Kept in the result's ``noise_sd`` dict (per modality) when it has one: the viewer's
    worker computes it there (:mod:`denoscope.app.pipeline`), so the GUI thread does not
    (an 8-MP frame took 60 ms).
    """
    cache = getattr(result, "noise_sd", None)
    if isinstance(cache, dict) and modality in cache:
        return cache[modality]
    display = getattr(result, "display", {}) or {}
    noisy, truth = display.get("noisy"), display.get("truth")
    if noisy is None or truth is None or getattr(result, "truth01", None) is None:
        value = None
    else:
        error = np.asarray(noisy, np.float64) - np.asarray(truth, np.float64)
        if modality == "ct":
            body = np.asarray(truth) > CT_BODY_HU
            if body.sum() >= 16:
                error = error[body]
        value = float(np.std(error))
    if isinstance(cache, dict):
        cache[modality] = value
    return value


def level_in_units(noise: str, level: float, normalization: Any, unit: str) -> str | None:
    """σ of Gaussian/Rician noise in the study's units (``"≈ 410 HU"``), else None."""
    if noise not in ("gaussian", "gaussian-report1", "rician"):
        return None
    low, high = getattr(normalization, "low", None), getattr(normalization, "high", None)
    if low is None or high is None:
        return None
    return f"σ = {level * (float(high) - float(low)):.4g} {unit}"


def level_text(
    noise: str,
    level: float,
    *,
    normalization: Any = None,
    unit: str = "a.u.",
    measured: float | None = None,
) -> str:
    """The level in plain words and physical units, for the controls and captions."""
    from denoscope.core.noise import NOISE_MODELS

    model = NOISE_MODELS.get(noise)
    parts = []
    if noise == "lowdose-ct":
        parts.append(f"{level * 100:.3g} % of full dose")
    elif noise == "xray":
        parts.append(f"{level:.4g} photons per pixel")
    elif noise == "poisson":
        parts.append(f"{level:.4g} photons at full scale")
    elif noise in ("gaussian", "gaussian-report1"):
        parts.append(f"SD {level:.3g} of the intensity range")
    elif noise == "rician":
        parts.append(f"SD {level:.3g} of the image maximum")
    elif model is not None:
        parts.append(f"{level:.4g} {model.unit}")
    converted = level_in_units(noise, level, normalization, unit)
    if converted:
        parts.append(converted)
    if measured is not None:
        shown = f"{measured:.3g}" if measured < 1000 else f"{measured:.0f}"
        parts.append(f"noise SD {shown} {unit} (measured)")
    return " · ".join(parts)
