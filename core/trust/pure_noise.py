"""The pure-noise test: flat fields plus noise in, the output must stay flat.

For each flat value ``v`` (default 0.25, 0.5 and 0.75) a ``size`` x ``size``
field of value ``v`` gets the chosen noise (seeded) and every method denoises
it. Against the flat truth, per method and value:

- ``edge_energy``: mean squared edge strength of the output
  (:func:`~denoscope.core.trust.edges.edge_strength` at 1.5 px), [0, 1] units²/px²
  (the truth's is 0); ``edge_ratio`` divides it by the noisy input's;
- ``structure_z``: the largest ``|local mean of (output − v)|`` over a Gaussian
  window of 2 px, divided by the noise model's predicted standard deviation of
  that local mean (``σ · sqrt(Σ w²)``, times the square root of the noise's
  correlation factor measured on ``noisy − v``), i.e. the removed-structure statistic of
  anything the output holds beyond the flat truth. Pure white noise gives
  about 4 over a 256² field; a coherent line or blob gives far more;
- ``residual_sd``: standard deviation of the output, in units of the local σ.

A method *creates structure* when its ``structure_z`` exceeds both
:data:`STRUCTURE_Z_LIMIT` and the noisy input's (more coherent structure than
the noise itself holds), or its ``edge_ratio`` exceeds :data:`EDGE_RATIO_LIMIT`
(more edges than its input).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from denoscope.core.trust._filters import gaussian_weights, window_sum
from denoscope.core.trust.denoisers import Denoiser, apply_denoiser
from denoscope.core.trust.edges import edge_strength
from denoscope.core.trust.removed import REMOVED_WINDOW_PX, correlation_factor
from denoscope.core.trust.sigma import local_sigma

#: ``structure_z`` above this counts as created structure.
STRUCTURE_Z_LIMIT = 5.0

#: ``edge_ratio`` above this counts as created edges (5 % above the input's, for rounding).
EDGE_RATIO_LIMIT = 1.05

#: Flat values tested by default.
FLAT_VALUES = (0.25, 0.5, 0.75)


@dataclass
class PureNoiseResult:
    """Per method, per flat value: ``edge_energy``, ``edge_ratio``, ``structure_z``, ``residual_sd``."""

    noise: str
    level: float
    size: int
    values: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    def creates_structure(self, method: str) -> bool:
        """Whether ``method`` put structure into any flat field.

        True when, on some field, its ``structure_z`` exceeds both
        :data:`STRUCTURE_Z_LIMIT` and the noisy input's own ``structure_z`` (the
        largest chance excursion of that noise realisation), or its
        ``edge_ratio`` exceeds :data:`EDGE_RATIO_LIMIT`.
        """
        noisy = self.values.get("noisy", {})
        for value, entry in self.values[method].items():
            chance = noisy.get(value, {}).get("structure_z", 0.0)
            if entry["structure_z"] > max(STRUCTURE_Z_LIMIT, chance):
                return True
            if entry["edge_ratio"] > EDGE_RATIO_LIMIT:
                return True
        return False

    def as_json(self) -> dict[str, Any]:
        """JSON-ready dict with a pass flag per method."""
        return {
            "noise": self.noise,
            "level": self.level,
            "size": self.size,
            "structure_z_limit": STRUCTURE_Z_LIMIT,
            "edge_ratio_limit": EDGE_RATIO_LIMIT,
            "methods": {
                name: {"creates_structure": self.creates_structure(name), "flat": values}
                for name, values in self.values.items()
            },
        }


def pure_noise_test(
    denoisers: Mapping[str, Denoiser],
    *,
    noise: str,
    level: float,
    size: int = 256,
    flat_values: tuple[float, ...] = FLAT_VALUES,
    seed: int = 0,
    pixel_size_mm: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> PureNoiseResult:
    """Feed flat fields plus noise to every method; measure edges and structure in the outputs.

    Parameters
    ----------
    denoisers : mapping of str to Denoiser
        Methods (the noisy input is always included as ``"noisy"``).
    noise, level : str, float
        Noise model and level.
    size : int, optional
        Side of the flat fields in pixels.
    flat_values : tuple of float, optional
        Values of the flat fields in [0, 1].
    seed : int, optional
        Noise seed.
    pixel_size_mm : float, optional
        For noise models whose physics depends on it.
    progress, should_stop : callable, optional
        Progress per flat field and cancellation between methods.

    Returns
    -------
    PureNoiseResult
    """
    from denoscope.core.noise import add_noise

    result = PureNoiseResult(noise, float(level), int(size))
    weights = gaussian_weights(REMOVED_WINDOW_PX)
    methods: dict[str, Denoiser] = {"noisy": lambda image: image, **dict(denoisers)}
    for index, value in enumerate(flat_values):
        flat = np.full((size, size), float(value), np.float32)
        rng = np.random.default_rng([seed, index])
        noisy = np.asarray(add_noise(flat, noise, level, rng=rng, pixel_size_mm=pixel_size_mm))
        sigma = local_sigma(noise, flat, noisy, level, pixel_size_mm=pixel_size_mm)
        unclipped = (noisy > 0.0) & (noisy < 1.0)
        correlation = correlation_factor(noisy - flat, sigma, mask=unclipped, robust=False)
        predicted = np.sqrt(
            correlation * window_sum(np.square(sigma.astype(np.float64)), np.square(weights))
        )
        noisy_energy = float(np.mean(edge_strength(noisy) ** 2))
        for name, denoiser in methods.items():
            if should_stop is not None and should_stop():
                from denoscope.core.inference import Cancelled

                raise Cancelled("the pure-noise test was cancelled")
            out = apply_denoiser(denoiser, noisy, flat)
            energy = float(np.mean(edge_strength(out) ** 2))
            z = window_sum(out.astype(np.float64) - value, weights) / predicted
            margin = 4 * int(REMOVED_WINDOW_PX)  # border windows are reflected: leave them out
            inner = z[margin:-margin, margin:-margin] if size > 4 * margin else z
            result.values.setdefault(name, {})[f"{value:g}"] = {
                "edge_energy": energy,
                "edge_ratio": energy / noisy_energy if noisy_energy > 0 else 0.0,
                "structure_z": float(np.abs(inner).max()),
                "residual_sd": float(np.std(out) / np.mean(sigma)),
            }
        if progress is not None:
            progress(index + 1, len(flat_values))
    return result
