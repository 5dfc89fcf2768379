"""Build a network from its config."""

from __future__ import annotations

from typing import Any

from denoscope.core.models.base import Denoiser
from denoscope.core.models.cae import CAE
from denoscope.core.models.config import (
    CAEConfig,
    DenseCAEConfig,
    DnCNNConfig,
    ModelConfig,
    ResCAEConfig,
    parse_model_config,
)
from denoscope.core.models.dense_cae import DenseCAE
from denoscope.core.models.dncnn import DnCNN
from denoscope.core.models.res_cae import ResCAE

_CLASSES: dict[type, type[Denoiser]] = {
    CAEConfig: CAE,
    DenseCAEConfig: DenseCAE,
    ResCAEConfig: ResCAE,
    DnCNNConfig: DnCNN,
}


def build_model(config: ModelConfig | dict[str, Any] | str) -> Denoiser:
    """Build a freshly initialised network.

    Parameters
    ----------
    config : ModelConfig, dict or str
        A config object, its dict/JSON form, or an architecture name for its
        default config (``"cae"``, ``"dense-cae"``, ``"res-cae"``, ``"dncnn"``).

    Returns
    -------
    Denoiser
        The network (an ``nn.Module``) in training mode; call ``.eval()`` for
        inference (:func:`denoscope.core.inference.denoise` does).
    """
    config = parse_model_config(config)
    return _CLASSES[type(config)](config)
