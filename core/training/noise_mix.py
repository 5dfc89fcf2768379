"""Blind noise for training: each patch draws a noise model and a level.

A modality's mix pairs its physical noise model with white Gaussian noise
(half the patches each), with levels drawn uniformly (or log-uniformly for
photon counts and dose) over a training range around the modality's default.
The ranges are recorded in the model card.

``lowdose-ct`` acts on a whole slice (sinogram and back-projection): it is
rendered on full slices into a bank before training (see
:class:`denoscope.core.training.dataset.SliceNoiseBank`), and patches are then
cut from the (clean, noisy) pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Noise models that must see a whole slice.
SLICE_LEVEL_MODELS: frozenset[str] = frozenset({"lowdose-ct"})

#: The physical noise model of each modality.
PHYSICAL_NOISE: dict[str, str] = {"mri": "rician", "ct": "lowdose-ct", "xray": "xray"}


@dataclass(frozen=True)
class NoiseComponent:
    """One noise model of a training mix.

    Attributes
    ----------
    name : str
        Key of :data:`denoscope.core.noise.NOISE_MODELS`.
    low, high : float
        Range of levels drawn, in the model's unit.
    log_uniform : bool
        Draw ``log(level)`` uniformly (photon counts, dose).
    weight : float
        Relative probability of the component.
    """

    name: str
    low: float
    high: float
    log_uniform: bool = False
    weight: float = 1.0

    def draw(self, rng: np.random.Generator) -> float:
        """Draw one level."""
        if self.low == self.high:
            return float(self.low)
        if self.log_uniform:
            return float(np.exp(rng.uniform(np.log(self.low), np.log(self.high))))
        return float(rng.uniform(self.low, self.high))


#: Gaussian sigma range shared by all modalities ([0, 1] units), v1 models.
GAUSSIAN = NoiseComponent("gaussian", 0.01, 0.2)

#: The v1 training mix of each modality (blind models, ``res-cae`` v1).
MODALITY_MIX_V1: dict[str, tuple[NoiseComponent, ...]] = {
    "mri": (GAUSSIAN, NoiseComponent("rician", 0.01, 0.15)),
    "ct": (GAUSSIAN, NoiseComponent("lowdose-ct", 0.02, 1.0, log_uniform=True)),
    "xray": (GAUSSIAN, NoiseComponent("xray", 100.0, 100_000.0, log_uniform=True)),
}

#: Gaussian sigma over the whole range, the first report's 0.45 inside it (log-uniform,
#: so faint noise is trained as often as strong noise).
GAUSSIAN_WIDE = NoiseComponent("gaussian", 0.002, 0.5, log_uniform=True, weight=0.4)

#: Clean input (sigma 0): the network must learn to leave a clean image alone.
CLEAN = NoiseComponent("gaussian", 0.0, 0.0, weight=0.05)

#: The default training mix of each modality (v2: noise-level maps, the whole range down to
#: nearly clean input).
MODALITY_MIX: dict[str, tuple[NoiseComponent, ...]] = {
    "mri": (
        GAUSSIAN_WIDE,
        NoiseComponent("rician", 0.002, 0.2, log_uniform=True, weight=0.55),
        CLEAN,
    ),
    "ct": (
        GAUSSIAN_WIDE,
        NoiseComponent("lowdose-ct", 0.02, 1.0, log_uniform=True, weight=0.55),
        CLEAN,
    ),
    "xray": (
        GAUSSIAN_WIDE,
        NoiseComponent("xray", 100.0, 1_000_000.0, log_uniform=True, weight=0.55),
        CLEAN,
    ),
}


def eval_settings(modality: str) -> list[tuple[str, float]]:
    """Return the two settings a shipped model is judged at.

    Parameters
    ----------
    modality : str
        ``"mri"``, ``"ct"`` or ``"xray"``.

    Returns
    -------
    list of (str, float)
        Gaussian sigma 0.1, and the modality's physical noise at its default level.
    """
    from denoscope.core.noise import NOISE_MODELS

    physical = PHYSICAL_NOISE[modality]
    return [("gaussian", 0.1), (physical, NOISE_MODELS[physical].default_level(modality))]


def choose(mix: tuple[NoiseComponent, ...], rng: np.random.Generator) -> tuple[str, float]:
    """Draw a (noise model, level) pair from a mix."""
    weights = np.array([c.weight for c in mix], dtype=float)
    component = mix[int(rng.choice(len(mix), p=weights / weights.sum()))]
    return component.name, component.draw(rng)


def apply_noise(clean: np.ndarray, name: str, level: float, rng: np.random.Generator) -> np.ndarray:
    """Add one registered noise to a (rows, cols) [0, 1] image (float32 out)."""
    from denoscope.core.noise import add_noise

    return add_noise(clean, name, level, rng=rng)
