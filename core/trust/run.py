"""One trust run on one image: maps, lesion test and pure-noise test, for the CLI and reports.

:func:`run_trust` denoises a clean image with inserted lesions (see
:mod:`~denoscope.core.trust.lesion_test`) with the model and the baselines,
and computes for the model's output the removed-structure map, the invented
and lost edge maps, the signed difference (modality units) and the
uncertainty (``K`` noise re-draws), plus PSNR and SSIM of every method
against the lesion-present truth, and the pure-noise test.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from denoscope.core.trust.denoisers import Denoiser
from denoscope.core.trust.edges import EDGE_SCALE_PX, edge_maps
from denoscope.core.trust.lesion_test import LesionTestResult, lesion_test
from denoscope.core.trust.lesions import CONTRAST_RANGE, RADIUS_RANGE
from denoscope.core.trust.pure_noise import PureNoiseResult, pure_noise_test
from denoscope.core.trust.removed import REMOVED_WINDOW_PX
from denoscope.core.trust.uncertainty import UncertaintyResult, redraw_uncertainty


@dataclass
class TrustRun:
    """Everything one ``denoscope trust`` run measured.

    Attributes
    ----------
    image_id : str
        Where the image came from.
    scale, unit : float, str
        Modality units per [0, 1] unit and their name (``"HU"`` for CT).
    lesions : LesionTestResult
        With images kept.
    maps : dict of str to ndarray
        ``removed`` (z), ``invented`` and ``lost`` (unit/px), ``signed`` (unit),
        ``uncertainty`` (unit) of the model's output; ``removed:<method>`` for the others.
    metrics : dict
        Method -> ``psnr``, ``ssim`` against the lesion-present truth.
    uncertainty : UncertaintyResult or None
        How the uncertainty map was made (None when skipped).
    pure_noise : PureNoiseResult or None
        Flat-field results (None when skipped).
    timings : dict of str to float
        Seconds per step.
    """

    image_id: str
    scale: float
    unit: str
    lesions: LesionTestResult
    maps: dict[str, np.ndarray]
    metrics: dict[str, dict[str, float]]
    uncertainty: UncertaintyResult | None
    pure_noise: PureNoiseResult | None
    timings: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready record (no images)."""
        u = self.uncertainty
        return {
            "image": self.image_id,
            "unit": self.unit,
            "units_per_unit01": self.scale,
            "info": self.info,
            "metrics": self.metrics,
            "lesion_test": self.lesions.as_json(),
            "pure_noise": None if self.pure_noise is None else self.pure_noise.as_json(),
            "maps": {
                "removed_structure": {"unit": "z", "window_px": REMOVED_WINDOW_PX},
                "invented_edges": {"unit": f"{self.unit}/px", "scale_px": EDGE_SCALE_PX},
                "lost_edges": {"unit": f"{self.unit}/px", "scale_px": EDGE_SCALE_PX},
                "signed_difference": {"unit": self.unit},
                "uncertainty": None
                if u is None
                else {"unit": u.unit, "kind": u.kind, "draws": u.draws, "seconds": u.seconds},
                "summary": {
                    key: _map_summary(value)
                    for key, value in self.maps.items()
                    if not key.startswith("removed:")
                },
            },
            "timings_s": self.timings,
        }


def _map_summary(image: np.ndarray) -> dict[str, float]:
    a = np.abs(image.astype(np.float64))
    return {"mean_abs": float(a.mean()), "p99_abs": float(np.percentile(a, 99))}


def run_trust(
    clean01: np.ndarray,
    model: Denoiser,
    baselines: Mapping[str, Denoiser],
    *,
    noise: str,
    level: float,
    image_id: str = "image",
    scale: float = 1.0,
    unit: str = "[0, 1] units",
    n_lesions: int = 12,
    radius_range: tuple[int, int] = RADIUS_RANGE,
    contrast_range: tuple[float, float] = CONTRAST_RANGE,
    seed: int = 0,
    pixel_size_mm: float | None = None,
    redraws: int = 8,
    pure_noise: bool = True,
    apply_noise: Callable[[np.ndarray, int], np.ndarray] | None = None,
    progress: Callable[[str], None] | None = None,
) -> TrustRun:
    """Run the maps, the lesion test and the pure-noise test on one clean image.

    Parameters
    ----------
    clean01 : ndarray, shape (rows, cols)
        Clean image in [0, 1].
    model : Denoiser
        The network under test (reported as ``"model"``).
    baselines : mapping of str to Denoiser
        Comparison methods.
    noise, level : str, float
        Noise setting.
    image_id : str, optional
        Label of the image.
    scale, unit : float, str, optional
        Modality units per [0, 1] unit and their name.
    n_lesions, seed : int, optional
        Lesions wanted; seed of noise and placement.
    radius_range, contrast_range : tuple, optional
        Lesion radius (px) and contrast (x local σ) ranges.
    pixel_size_mm : float, optional
        For noise models whose physics depends on it.
    redraws : int, optional
        K noise re-draws for the uncertainty map (0 skips it).
    pure_noise : bool, optional
        Run the flat-field test.
    apply_noise : callable, optional
        ``apply_noise(clean01, seed) -> noisy01`` for the lesion test (slice-level noise
        drawn on a whole slice around a crop); see :func:`~denoscope.core.trust.lesion_test`.
    progress : callable, optional
        ``progress(step_name)`` before each step.

    Returns
    -------
    TrustRun
    """
    from denoscope.core.metrics import psnr, ssim

    say = progress or (lambda _step: None)
    timings: dict[str, float] = {}
    methods = {"model": model, **dict(baselines)}
    say("lesion test")
    t0 = time.perf_counter()
    lesions = lesion_test(
        clean01,
        methods,
        noise=noise,
        level=level,
        n_lesions=n_lesions,
        radius_range=radius_range,
        contrast_range=contrast_range,
        seed=seed,
        pixel_size_mm=pixel_size_mm,
        keep_images=True,
        apply_noise=apply_noise,
    )
    timings["lesion_test"] = time.perf_counter() - t0
    truth = lesions.images["clean_present"]
    metrics = {
        name: {
            "psnr": float(psnr(truth, lesions.images[name], data_range=1.0)),
            "ssim": float(ssim(truth, lesions.images[name], data_range=1.0)),
        }
        for name in ("noisy", *methods)
    }
    say("maps")
    t0 = time.perf_counter()
    edges = edge_maps(lesions.images["model"], truth, scale=scale, unit=unit)
    maps = {
        "removed": lesions.images["removed:model"],
        "invented": edges.invented,
        "lost": edges.lost,
        "signed": edges.signed,
    }
    for name in baselines:
        maps[f"removed:{name}"] = lesions.images[f"removed:{name}"]
    timings["edge_maps"] = time.perf_counter() - t0
    uncertainty = None
    if redraws >= 2:
        say(f"uncertainty ({redraws} re-draws)")
        uncertainty = redraw_uncertainty(
            truth,
            model,
            noise=noise,
            level=level,
            draws=redraws,
            rng=np.random.default_rng([seed, 3]),
            pixel_size_mm=pixel_size_mm,
            scale=scale,
            unit=unit,
            apply_noise=apply_noise,
        )
        maps["uncertainty"] = uncertainty.std
        timings["uncertainty"] = uncertainty.seconds
    flat = None
    if pure_noise:
        say("pure-noise test")
        t0 = time.perf_counter()
        flat = pure_noise_test(
            methods,
            noise=noise,
            level=level,
            size=min(256, *np.shape(clean01)),
            seed=seed,
            pixel_size_mm=pixel_size_mm,
        )
        timings["pure_noise"] = time.perf_counter() - t0
    return TrustRun(
        image_id=image_id,
        scale=float(scale),
        unit=unit,
        lesions=lesions,
        maps=maps,
        metrics=metrics,
        uncertainty=uncertainty,
        pure_noise=flat,
        timings=timings,
        info={
            "noise": noise,
            "level": float(level),
            "seed": seed,
            "lesions": n_lesions,
            "radius_px": list(radius_range),
            "contrast_x_sigma": list(contrast_range),
        },
    )
