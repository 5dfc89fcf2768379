"""The JSON card that travels with every model's weights.

A card says what the weights are (architecture config), what they were
trained for (modality, noise models and level ranges, intensity
normalisation), on what (data sources and licences), how well they did
(validation metrics), how they were made (command, seed, epochs) and which
weights file it describes (sha256). :func:`denoscope.core.checkpoint.save_model`
fills ``parameter_count``, ``weights_sha256``, ``weights_file``, ``created`` and
``denoscope_version``; :func:`~denoscope.core.checkpoint.load_model` requires them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from denoscope.core.models.config import ModelConfig

FORMAT_VERSION = 1
"""Version of the card schema written by this release."""

MODALITIES: tuple[str, ...] = ("mri", "ct", "xray", "any")
"""Modalities a model can be trained for (``"any"``: not modality-specific)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoiseSpec(_Strict):
    """One noise model the weights were trained on, with its level range."""

    name: str = Field(description="a key of denoscope.core.noise.NOISE_MODELS, e.g. 'gaussian'")
    level_min: float = Field(description="lowest level trained on, in the noise model's unit")
    level_max: float = Field(description="highest level trained on, in the noise model's unit")
    unit: str = Field("", description="the unit of the levels, e.g. 'sigma in [0, 1] units'")


class DataSource(_Strict):
    """A training or validation data source and its licence."""

    name: str = Field(description="e.g. 'pydicom-data RG1_UNCI.dcm'")
    licence: str = Field(description="e.g. 'MIT'")
    role: Literal["train", "validation", "test", "train+validation"] = "train"
    description: str = Field("", description="what was taken and how (slices, crops, simulation)")
    images: int | None = Field(None, ge=0, description="number of 2D images or slices used")


class TrainingProvenance(_Strict):
    """How the weights were produced."""

    command: str = Field(description="the exact command line that trained the model")
    seed: int | None = None
    epochs: int | None = Field(None, ge=0)
    details: dict[str, Any] = Field(
        default_factory=dict, description="loss, optimiser, patch size, timings, git commit ..."
    )


class ModelCard(_Strict):
    """Everything needed to use, trust and reproduce a model file.

    Parameters
    ----------
    name : str
        A short human name (``"Denoscope CT res-cae v1"``).
    architecture : ModelConfig
        The config :func:`denoscope.core.models.build_model` rebuilds the network from.
    modality : {"mri", "ct", "xray", "any"}
        The modality the model is meant for.
    noise_models : list of NoiseSpec
        Noise models and level ranges trained for.
    normalization : dict or str or None
        The intensity normalisation from modality units to [0, 1]
        (``Normalization.model_dump()`` of :mod:`denoscope.core.intensity`, or a
        plain description).
    """

    format_version: Literal[1] = FORMAT_VERSION
    name: str
    description: str = ""
    architecture: ModelConfig
    modality: Literal["mri", "ct", "xray", "any"]
    noise_models: list[NoiseSpec] = Field(default_factory=list)
    normalization: dict[str, Any] | str | None = None
    training_data: list[DataSource] = Field(default_factory=list)
    validation_metrics: dict[str, Any] = Field(
        default_factory=dict, description="e.g. {'psnr': 33.1, 'ssim': 0.91, 'per_level': {...}}"
    )
    training: TrainingProvenance | None = None
    notes: list[str] = Field(default_factory=list, description="limitations, caveats")
    # Filled in by save_model:
    parameter_count: int | None = Field(None, ge=0)
    weights_file: str | None = Field(None, description="file name of the safetensors weights")
    weights_sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    created: datetime | None = None
    denoscope_version: str | None = None

    def summary(self) -> str:
        """One line for menus and reports.

        Example: ``"Denoscope CT v1: res-cae, 233,284 parameters, ct, gaussian 0.01-0.2"``.
        """
        parts = [self.architecture.arch]
        if self.parameter_count is not None:
            parts.append(f"{self.parameter_count:,} parameters")
        parts.append(self.modality)
        parts += [f"{n.name} {n.level_min:g}-{n.level_max:g}" for n in self.noise_models]
        return f"{self.name}: {', '.join(parts)}"
