"""Training configuration: one pydantic model, checked once at the CLI boundary."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TrainConfig(BaseModel):
    """Everything a training run depends on (saved in the model card).

    Attributes
    ----------
    modality : {"mri", "ct", "xray"}
        Decides the corpus, the normalisation rule and the noise mix.
    arch : dict
        Architecture config (``{"arch": "res-cae", ...}``) for
        :func:`denoscope.core.models.build_model`.
    data : str or None
        A corpus folder (with ``manifest.json``) or a folder of DICOM/PNG images;
        None uses the built corpus of the modality in the cache.
    out : str
        Run folder: checkpoints, history CSV, loss curve and ``model.safetensors``.
    """

    model_config = ConfigDict(extra="forbid")

    modality: Literal["mri", "ct", "xray"]
    arch: dict[str, Any] = Field(default_factory=lambda: {"arch": "res-cae"})
    data: str | None = None
    out: str = "runs/train"
    epochs: int = Field(50, ge=1)
    steps_per_epoch: int = Field(200, ge=1, description="optimiser steps per epoch (all ranks)")
    batch_size: int = Field(16, ge=1, description="patches per step and rank")
    patch: int = Field(128, ge=16)
    loss: Literal["mse", "l1", "poisson", "mse+ssim", "psnr", "texture"] = "mse"
    init: str | None = Field(
        None, description="start from these weights (a model .safetensors or a run's checkpoint)"
    )
    init_transfer: bool = Field(
        False,
        description="adapt --init weights of a related configuration "
        "(denoscope.core.models.weight_transfer) instead of requiring an exact fit",
    )
    lr: float = Field(1e-3, gt=0)
    lr_min_ratio: float = Field(0.05, gt=0, le=1, description="cosine schedule floor / lr")
    weight_decay: float = Field(1e-4, ge=0)
    patience: int = Field(10, ge=1, description="epochs without validation gain before stopping")
    seed: int = 0
    val_images: int = Field(16, ge=1)
    val_crop: int = Field(128, ge=16)
    bank_size: int = Field(48, ge=1, description="slices rendered per slice-level noise model")
    texture: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of patches given inherent texture that the noise map does not "
        "describe (denoscope.core.training.augment.inherent_texture)",
    )
    max_minutes: float | None = Field(None, gt=0, description="stop after this wall time")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    threads: int | None = Field(None, ge=1, description="torch CPU threads per process")
