"""Denoising networks (``nn.Module`` only) and the factory that builds them from a config.

Every network maps (N, 1, H, W) images in [0, 1] to (N, 1, H, W) in [0, 1] and
says which input sizes it takes (:attr:`Denoiser.stride_multiple`,
:attr:`Denoiser.fixed_size`).
"""

from denoscope.core.models.base import Denoiser
from denoscope.core.models.cae import CAE
from denoscope.core.models.config import (
    ARCHITECTURES,
    CAEConfig,
    DenseCAEConfig,
    DnCNNConfig,
    ModelConfig,
    ResCAEConfig,
    default_config,
    parse_model_config,
)
from denoscope.core.models.dense_cae import DenseCAE
from denoscope.core.models.dncnn import DnCNN
from denoscope.core.models.factory import build_model
from denoscope.core.models.res_cae import ResCAE, estimate_noise_sigma

__all__ = [
    "ARCHITECTURES",
    "CAE",
    "CAEConfig",
    "DenseCAE",
    "DenseCAEConfig",
    "DnCNN",
    "DnCNNConfig",
    "Denoiser",
    "ModelConfig",
    "ResCAE",
    "ResCAEConfig",
    "build_model",
    "default_config",
    "estimate_noise_sigma",
    "parse_model_config",
]
