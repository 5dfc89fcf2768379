"""What the viewer computes for a slice, as plain data (no Qt): :class:`Params`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Difference-pane modes: key -> label.
DIFF_MODES: dict[str, str] = {
    "denoised-truth": "|denoised − truth|",
    "noisy-truth": "|noisy − truth|",
    "residual": "residual noisy − denoised",
}


@dataclass(frozen=True)
class Params:
    """What to compute for the shown slice (everything but the study itself).

    Attributes
    ----------
    modality : str
        Modality whose model is used ("ct", "mri", "xray").
    model_path : Path or None
        A model file chosen by the user; ``None`` uses the shipped model.
    noise : str
        Key of :data:`denoscope.core.noise.NOISE_MODELS`.
    level : float
        Noise level in the noise model's unit.
    seed : int
        Seed of the synthetic noise.
    device : str
        "auto", "cpu" or "cuda".
    baseline : str or None
        Key of :data:`denoscope.core.baselines.BASELINES`, or ``None``.
    real_input : bool
        The study is already noisy: no synthetic noise and no ground truth.
    """

    modality: str = "ct"
    model_path: Path | None = None
    noise: str = "gaussian"
    level: float = 0.05
    seed: int = 0
    device: str = "auto"
    baseline: str | None = "median"
    real_input: bool = False
