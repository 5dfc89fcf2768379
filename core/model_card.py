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

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from denoscope.core.models.config import ModelConfig

FORMAT_VERSION = 1
"""Version of the card schema written by this release."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoiseSpec(_Strict):
    """One noise model the weights were trained on, with its level range."""

    name: str = Field(description="a key of denoscope.core.noise.NOISE_MODELS, e.g. 'gaussian'")
    level_min: float = Field(
        allow_inf_nan=False, description="lowest level trained on, in the noise model's unit"
    )
    level_max: float = Field(
        allow_inf_nan=False, description="highest level trained on, in the noise model's unit"
    )
    unit: str = Field("", description="the unit of the levels, e.g. 'sigma in [0, 1] units'")


class DataSource(_Strict):
    """A training or validation data source and its licence."""

    name: str = Field(description="e.g. 'pydicom-data RG1_UNCI.dcm'")
    licence: str = Field(description="e.g. 'MIT'")
    role: Literal["train", "validation", "test", "train+validation"] = "train"
    description: str = Field("", description="what was taken and how (slices, crops, simulation)")
    images: int | None = Field(
        None, ge=0, le=10**9, description="number of 2D images or slices used"
    )


class TrainingProvenance(_Strict):
    """How the weights were produced."""

    command: str = Field(description="the exact command line that trained the model")
    seed: int | None = None
    epochs: int | None = Field(None, ge=0, le=10**6)
    details: dict[str, Any] = Field(
        default_factory=dict, description="loss, optimiser, patch size, timings, git commit ..."
    )


class CardNormalization(_Strict):
    """The intensity normalisation a model was trained with (modality units -> [0, 1]).

    ``kind="fixed"``: a fixed window ``[low, high]`` in the modality's absolute
    units (CT: Hounsfield units). ``kind="percentile"``: each study's own robust
    percentiles ``percentiles`` (MRI, X-ray). How a review applies it is decided
    in :mod:`denoscope.core.review.study`.

    Old cards stored ``Normalization.model_dump()`` (a dict, accepted as is) or a
    sentence such as ``"per-study robust percentiles 0.5 / 99.5 -> [0, 1]"``:
    :meth:`migrate` reads both (see :attr:`ModelCard.normalization`).
    """

    kind: Literal["fixed", "percentile"]
    low: float | None = Field(
        None, allow_inf_nan=False, description="fixed: modality value mapped to 0"
    )
    high: float | None = Field(
        None, allow_inf_nan=False, description="fixed: modality value mapped to 1"
    )
    percentiles: tuple[float, float] | None = Field(
        None, description="percentile: the (low, high) percentiles of the study"
    )
    modality: str | None = Field(None, description="the modality family the rule was made for")

    @model_validator(mode="after")
    def _complete(self) -> CardNormalization:
        if self.kind == "fixed":
            if self.low is None or self.high is None or not self.high > self.low:
                raise ValueError("a fixed normalisation needs low < high")
        elif self.percentiles is None or not 0 <= self.percentiles[0] < self.percentiles[1] <= 100:
            raise ValueError("a percentile normalisation needs 0 <= low < high <= 100 percentiles")
        return self

    @classmethod
    def migrate(cls, value: Any) -> Any:
        """Read an old card's value: a dict as is; a sentence naming percentiles becomes a
        ``percentile`` rule with the two numbers it names (default 0.5 / 99.5).

        Raises
        ------
        ValueError
            A sentence that names no known rule.
        """
        if not isinstance(value, str):
            return value
        text = value.lower()
        if "percentile" in text:
            numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
            pair = next(
                ((a, b) for a, b in zip(numbers, numbers[1:], strict=False) if 0 <= a < b <= 100),
                (0.5, 99.5),
            )
            return {"kind": "percentile", "percentiles": pair}
        raise ValueError(f"unrecognised normalisation description {value!r}")

    def to_normalization(self) -> Any:
        """The :class:`~denoscope.core.intensity.Normalization` of a fixed rule."""
        from denoscope.core.intensity import Normalization

        if self.kind != "fixed":
            raise ValueError("only a fixed normalisation maps without a study")
        return Normalization(kind="fixed", low=self.low, high=self.high, modality=self.modality)


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
    normalization : CardNormalization or None
        The intensity normalisation the model was trained with. Cards written
        before it was typed (a ``Normalization.model_dump()`` dict, or a sentence
        such as ``"per-study robust percentiles 0.5 / 99.5 ..."``) are migrated
        when loaded (:meth:`CardNormalization.migrate`); None: the modality's rule.
    """

    format_version: Literal[1] = FORMAT_VERSION
    name: str
    description: str = ""
    architecture: ModelConfig
    modality: Literal["mri", "ct", "xray", "any"]
    noise_models: list[NoiseSpec] = Field(default_factory=list, max_length=64)
    normalization: CardNormalization | None = None
    training_data: list[DataSource] = Field(default_factory=list, max_length=10_000)
    validation_metrics: dict[str, Any] = Field(
        default_factory=dict, description="e.g. {'psnr': 33.1, 'ssim': 0.91, 'per_level': {...}}"
    )
    training: TrainingProvenance | None = None
    notes: list[str] = Field(
        default_factory=list, max_length=1000, description="limitations, caveats"
    )
    # Filled in by save_model:
    parameter_count: int | None = Field(None, ge=0, le=10**10)
    weights_file: str | None = Field(None, description="file name of the safetensors weights")
    weights_sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    created: datetime | None = None
    denoscope_version: str | None = None

    @field_validator("normalization", mode="before")
    @classmethod
    def _migrate_normalization(cls, value: Any) -> Any:
        return CardNormalization.migrate(value)

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
