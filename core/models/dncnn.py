"""DnCNN (Zhang et al., 2017): the deep residual baseline."""

from __future__ import annotations

import torch
from torch import nn

from denoscope.core.models.base import Denoiser
from denoscope.core.models.config import DnCNNConfig


class DnCNN(Denoiser):
    """Conv+ReLU, (depth - 2) x (Conv+BN+ReLU), Conv; predicts the noise.

    The output is ``clamp(x - r, 0, 1)`` where ``r`` is the network's residual.
    Batch norm runs with its running statistics in eval mode, so it is a fixed
    per-channel affine map at inference and tiling stays consistent.

    Parameters
    ----------
    config : DnCNNConfig
        Depth (17), width (64) and whether to use batch norm.
    """

    stride_multiple = 1

    def __init__(self, config: DnCNNConfig | None = None) -> None:
        config = config or DnCNNConfig()
        super().__init__(config)
        self.receptive_field = 2 * config.depth + 1
        w = config.width
        layers: list[nn.Module] = [nn.Conv2d(1, w, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(config.depth - 2):
            layers.append(nn.Conv2d(w, w, 3, padding=1, bias=not config.batch_norm))
            if config.batch_norm:
                layers.append(nn.BatchNorm2d(w))
            layers.append(nn.ReLU(inplace=True))
        layers.append(nn.Conv2d(w, 1, 3, padding=1))
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Denoise a batch (N, 1, H, W) in [0, 1]."""
        return torch.clamp(x - self.body(x), 0.0, 1.0)
