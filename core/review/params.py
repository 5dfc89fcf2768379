"""What to compute when reviewing a slice, as plain data: :class:`ReviewParams`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from denoscope.core.modality import Modality

#: Default strength: the noise level given to a noise-level-aware network, unscaled.
DEFAULT_STRENGTH = 1.0


@dataclass(frozen=True)
class ReviewParams:
    """Everything but the study that decides a review result (hashable, comparable).

    Attributes
    ----------
    modality : str
        Modality whose shipped model is used when ``model_path`` is None
        (``"ct"``, ``"mri"``, ``"xray"``; see :class:`~denoscope.core.modality.Modality`).
    model_path : Path or None
        A model file chosen by the user; ``None`` uses the shipped one.
    noise : str
        Key of :data:`denoscope.core.noise.NOISE_MODELS`.
    level : float
        Noise level in the noise model's unit.
    seed : int
        Seed of the synthetic noise (each slice draws from ``[seed, slice]``).
    device : str
        ``"auto"``, ``"cpu"`` or ``"cuda"``.
    baseline : str or None
        Key of :data:`denoscope.core.baselines.BASELINES`, or None.
    real_input : bool
        The study is already noisy: no synthetic noise and no ground truth.
    strength : float
        Multiplies the noise-level map given to a network that takes one
        (``noise_level_input``): below 1 keeps more texture and noise, above 1
        smooths more. Blind networks ignore it (it is still recorded).
    """

    modality: str = Modality.CT
    model_path: Path | None = None
    noise: str = "gaussian"
    level: float = 0.05
    seed: int = 0
    device: str = "auto"
    baseline: str | None = "median"
    real_input: bool = False
    strength: float = DEFAULT_STRENGTH
