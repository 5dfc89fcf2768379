"""The first report's convolutional autoencoder (CAE), layer for layer."""

from __future__ import annotations

import torch
from torch import nn

from denoscope.core.models.base import Denoiser
from denoscope.core.models.config import CAEConfig


class CAE(Denoiser):
    """Conv64-MaxPool-Conv128-MaxPool | Conv128-Up-Conv64-Up-Conv1-sigmoid.

    All convolutions are 3x3 with same padding and ReLU (the last one sigmoid);
    pooling is 2x2 max pooling and upsampling is 2x nearest neighbour, as in the
    report's Keras model. Input H and W must be multiples of 4.

    Parameters
    ----------
    config : CAEConfig
        Widths of the two levels (64, 128 in the report).
    """

    stride_multiple = 4
    #: Bound on the input window one output pixel sees: reach 16 px to each side
    #: (convs at scales 1, 2, 4, 2, 1 plus the alignment of pools and upsamplings;
    #: back-propagation measures 11).
    receptive_field = 33

    def __init__(self, config: CAEConfig | None = None) -> None:
        config = config or CAEConfig()
        super().__init__(config)
        c1, c2 = config.channels
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        self.decoder = nn.Sequential(
            nn.Conv2d(c2, c2, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(c2, c1, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(c1, 1, 3, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Denoise a batch (N, 1, H, W) in [0, 1]; H, W multiples of 4."""
        return self.decoder(self.encoder(x))
