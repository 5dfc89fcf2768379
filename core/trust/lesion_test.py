"""The lesion-insertion hallucination test: which faint findings does each method erase?

Protocol (one clean image, one noise setting)
---------------------------------------------
1. Draw the noise once on the clean image (seed ``s``) and compute the noise
   model's local σ map (:func:`~denoscope.core.trust.sigma.local_sigma`).
2. Place up to ``n`` discs (:func:`~denoscope.core.trust.lesions.place_lesions`):
   radius 2-8 px, contrast 0.5-3 x the local σ, random sign, seeded positions
   in flat tissue inside the anatomy. Insert them into the clean image and draw
   the noise again with the same seed, so the lesion-present and lesion-absent
   noisy images share one noise realisation (identical for additive noise).
3. Every method (the noisy input itself, the model, the baselines) denoises
   both noisy images.
4. Per lesion, with ``m(image)`` the disc-minus-ring contrast
   (:func:`~denoscope.core.trust.lesions.disc_ring_contrast`):

   - retained contrast ``= (m(out_present) − m(out_absent)) / (m(clean_present) − m(clean))``:
     1 keeps the lesion as inserted, 0 erases it;
   - *lost* when the retained contrast is below ``lost_below`` (0.5);

   per method:

   - fraction lost;
   - d′ of a non-prewhitening (NPW) matched filter: the template is the
     inserted disc, applied after subtracting the local background (ring mean),
     so the filter's statistic is ``m``; the background is known exactly
     (the clean image's ``m`` at that position is subtracted, so anatomy does
     not count as noise) and each statistic is normalised by the lesion's
     inserted contrast: ``t = (m(out) − m(clean)) / c``, over the
     lesion-present (``t⁺``) and lesion-absent (``t⁻``) patches at the same
     positions:
     ``d′ = (mean t⁺ − mean t⁻) / sqrt((var t⁺ + var t⁻) / 2)``;
   - localisation: ROC AUC of the removed-structure map of the lesion-present
     output (:func:`~denoscope.core.trust.removed.removed_structure`, ``|z|``,
     calibrated for noise correlation on the lesion-absent noise realisation)
     at the discs of the lesions this method lost against the anatomy's pixels
     away from every lesion (None when it lost none).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from denoscope.core.errors import ParameterError
from denoscope.core.trust.denoisers import Denoiser, apply_denoiser
from denoscope.core.trust.lesions import (
    CONTRAST_RANGE,
    RADIUS_RANGE,
    Lesion,
    anatomy_mask,
    disc_ring_contrast,
    insert_lesions,
    lesion_mask,
    place_lesions,
)
from denoscope.core.trust.localisation import localisation_auc
from denoscope.core.trust.removed import (
    REMOVED_WINDOW_PX,
    correlation_factor,
    removed_structure,
)
from denoscope.core.trust.sigma import local_sigma

#: Retained contrast below which a reader is taken to lose the lesion.
LOST_BELOW = 0.5


@dataclass
class MethodLesionStats:
    """One method's lesion results.

    Attributes
    ----------
    retained : list of float
        Retained contrast per lesion (placement order).
    present, absent : list of float
        Normalised NPW statistics ``t⁺`` and ``t⁻`` per lesion.
    auc : float or None
        Localisation ROC AUC of the removed-structure map at lost lesions.
    seconds : float
        Time of the two denoising runs.
    """

    retained: list[float]
    present: list[float]
    absent: list[float]
    auc: float | None
    seconds: float
    lost_below: float = LOST_BELOW

    @property
    def fraction_lost(self) -> float:
        """Share of lesions with retained contrast below ``lost_below``."""
        return float(np.mean(np.asarray(self.retained) < self.lost_below)) if self.retained else 0.0

    @property
    def dprime(self) -> float | None:
        """NPW matched-filter d′ (None with fewer than 2 lesions)."""
        return npw_dprime(self.present, self.absent)

    @property
    def mean_retained(self) -> float | None:
        """Mean retained contrast."""
        return float(np.mean(self.retained)) if self.retained else None

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary and per-lesion values."""
        return {
            "mean_retained": self.mean_retained,
            "fraction_lost": self.fraction_lost,
            "dprime": self.dprime,
            "auc": self.auc,
            "seconds": self.seconds,
            "retained": [float(v) for v in self.retained],
        }


def npw_dprime(present: list[float], absent: list[float]) -> float | None:
    """``(mean t⁺ − mean t⁻) / sqrt((var t⁺ + var t⁻) / 2)``; None for fewer than 2 lesions."""
    if len(present) < 2 or len(absent) < 2:
        return None
    p, a = np.asarray(present, np.float64), np.asarray(absent, np.float64)
    spread = np.sqrt(0.5 * (p.var(ddof=1) + a.var(ddof=1)))
    if spread == 0:
        return float("inf") if p.mean() > a.mean() else 0.0
    return float((p.mean() - a.mean()) / spread)


@dataclass
class LesionTestResult:
    """Lesions, per-method results and (optionally) the images for figures.

    Attributes
    ----------
    lesions : list of Lesion
        As placed.
    inserted : list of float
        Measured inserted contrast per lesion (after clipping), [0, 1] units.
    methods : dict of str to MethodLesionStats
        By method name, ``"noisy"`` first.
    noise, level : str, float
        The noise setting.
    correlation : float
        Noise correlation factor of the removed-structure maps
        (:func:`~denoscope.core.trust.removed.correlation_factor`).
    images : dict of str to ndarray
        ``clean``, ``clean_present``, ``noisy_absent``, ``noisy_present``,
        ``<method>`` (output with lesions) and ``removed:<method>`` (its
        removed-structure map); empty unless ``keep_images``.
    """

    lesions: list[Lesion]
    inserted: list[float]
    methods: dict[str, MethodLesionStats]
    noise: str
    level: float
    correlation: float = 1.0
    images: dict[str, np.ndarray] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready dict (no images)."""
        return {
            "noise": self.noise,
            "level": self.level,
            "lost_below": LOST_BELOW,
            "removed_structure_correlation": self.correlation,
            "lesions": [
                {**lesion.as_dict(), "inserted": inserted}
                for lesion, inserted in zip(self.lesions, self.inserted, strict=True)
            ],
            "methods": {name: stats.summary() for name, stats in self.methods.items()},
        }


def lesion_test(
    clean01: ArrayLike,
    denoisers: Mapping[str, Denoiser],
    *,
    noise: str,
    level: float,
    n_lesions: int = 12,
    radius_range: tuple[int, int] = RADIUS_RANGE,
    contrast_range: tuple[float, float] = CONTRAST_RANGE,
    polarity: str = "both",
    seed: int = 0,
    pixel_size_mm: float | None = None,
    window_px: float = REMOVED_WINDOW_PX,
    keep_images: bool = False,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    apply_noise: Callable[[np.ndarray, int], np.ndarray] | None = None,
) -> LesionTestResult:
    """Insert lesions, add noise, denoise with every method, and measure what survives.

    Parameters
    ----------
    clean01 : array_like, shape (rows, cols)
        Clean image in [0, 1].
    denoisers : mapping of str to Denoiser
        Methods to test (the noisy input is always tested as ``"noisy"``).
    noise, level : str, float
        Noise model key and level.
    n_lesions : int, optional
        Lesions wanted.
    radius_range, contrast_range, polarity : optional
        See :func:`~denoscope.core.trust.lesions.place_lesions`.
    seed : int, optional
        Seed of the noise and of the placement.
    pixel_size_mm : float, optional
        For noise models whose physics depends on it.
    window_px : float, optional
        Window of the removed-structure map.
    keep_images : bool, optional
        Keep the images (for figures and the viewer).
    progress, should_stop : callable, optional
        ``progress(done, total)`` per method; cancellation between methods.
    apply_noise : callable, optional
        ``apply_noise(clean01, seed) -> noisy01`` replacing the registry's noise
        model (for example to crop after slice-level noise).

    Returns
    -------
    LesionTestResult
    """
    from denoscope.core.noise import add_noise

    clean = np.asarray(clean01, dtype=np.float32)
    if clean.ndim != 2:
        raise ParameterError("the lesion test takes one 2-D image", got=f"shape {clean.shape}")

    def noisy_of(image: np.ndarray) -> np.ndarray:
        if apply_noise is not None:
            return np.asarray(apply_noise(image, seed), np.float32)
        rng = np.random.default_rng([seed, 1])
        return np.asarray(add_noise(image, noise, level, rng=rng, pixel_size_mm=pixel_size_mm))

    def stop() -> None:
        if should_stop is not None and should_stop():
            from denoscope.core.inference import Cancelled

            raise Cancelled("the lesion test was cancelled")

    noisy_absent = noisy_of(clean)
    sigma = local_sigma(noise, clean, noisy_absent, level, pixel_size_mm=pixel_size_mm)
    lesions = place_lesions(
        clean,
        sigma,
        n=n_lesions,
        radius_range=radius_range,
        contrast_range=contrast_range,
        polarity=polarity,
        rng=np.random.default_rng([seed, 2]),
    )
    if not lesions:
        raise ParameterError(
            "no room for lesions in this image",
            got=f"image {clean.shape[1]} x {clean.shape[0]} px",
            fix="use a larger image or crop, or smaller lesions",
        )
    present_clean = insert_lesions(clean, lesions)
    backgrounds = [disc_ring_contrast(clean, les) for les in lesions]
    inserted = [
        disc_ring_contrast(present_clean, les) - b
        for les, b in zip(lesions, backgrounds, strict=True)
    ]
    noisy_present = noisy_of(present_clean)
    sigma_present = local_sigma(
        noise, present_clean, noisy_present, level, pixel_size_mm=pixel_size_mm
    )
    anatomy = anatomy_mask(clean)
    correlation = correlation_factor(noisy_absent - clean, sigma, window_px=window_px, mask=anatomy)
    background = anatomy & ~lesion_mask(clean.shape, lesions, region="outer")
    methods: dict[str, Denoiser] = {"noisy": lambda image: image, **dict(denoisers)}
    result = LesionTestResult(lesions, inserted, {}, noise, float(level), correlation)
    if keep_images:
        result.images.update(
            clean=clean,
            clean_present=present_clean,
            noisy_absent=noisy_absent,
            noisy_present=noisy_present,
            sigma=sigma_present,
        )
    for index, (name, denoiser) in enumerate(methods.items()):
        stop()
        start = time.perf_counter()
        out_present = apply_denoiser(denoiser, noisy_present, present_clean)
        stop()
        out_absent = apply_denoiser(denoiser, noisy_absent, clean)
        seconds = time.perf_counter() - start if name != "noisy" else 0.0
        present, absent, retained = [], [], []
        for lesion, c, b in zip(lesions, inserted, backgrounds, strict=True):
            mp, ma = disc_ring_contrast(out_present, lesion), disc_ring_contrast(out_absent, lesion)
            retained.append((mp - ma) / c if c != 0 else float("nan"))
            present.append((mp - b) / c if c != 0 else float("nan"))
            absent.append((ma - b) / c if c != 0 else float("nan"))
        removed = removed_structure(
            noisy_present, out_present, sigma_present, window_px=window_px, correlation=correlation
        )
        lost = [les for les, r in zip(lesions, retained, strict=True) if r < LOST_BELOW]
        auc = None
        if lost and name != "noisy":
            auc = localisation_auc(removed, lesion_mask(clean.shape, lost), background)
        result.methods[name] = MethodLesionStats(retained, present, absent, auc, seconds)
        if keep_images:
            result.images[name] = out_present
            result.images[f"removed:{name}"] = removed
        if progress is not None:
            progress(index + 1, len(methods))
    return result


def pooled_summary(results: list[LesionTestResult]) -> dict[str, dict[str, Any]]:
    """Per-method results over several images: lesions pooled, d′ over all lesions.

    Returns
    -------
    dict
        Method -> ``lesions``, ``mean_retained``, ``fraction_lost``, ``dprime``,
        ``auc`` (mean over images with lost lesions, None if none) and
        ``auc_images`` (how many images that mean covers).
    """
    out: dict[str, dict[str, Any]] = {}
    names = [name for r in results for name in r.methods]
    for name in dict.fromkeys(names):
        stats = [r.methods[name] for r in results if name in r.methods]
        retained = [v for s in stats for v in s.retained]
        aucs = [s.auc for s in stats if s.auc is not None]
        out[name] = {
            "lesions": len(retained),
            "mean_retained": float(np.mean(retained)) if retained else None,
            "fraction_lost": float(np.mean(np.asarray(retained) < LOST_BELOW))
            if retained
            else None,
            "dprime": npw_dprime(
                [v for s in stats for v in s.present], [v for s in stats for v in s.absent]
            ),
            "auc": float(np.mean(aucs)) if aucs else None,
            "auc_images": len(aucs),
            "seconds": float(np.mean([s.seconds for s in stats])) if stats else 0.0,
        }
    return out
