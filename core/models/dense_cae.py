"""The second report's autoencoder with a dense (linear) bottleneck."""

from __future__ import annotations

import torch
from torch import nn

from denoscope.core.models.base import Denoiser
from denoscope.core.models.config import DenseCAEConfig


def _conv_bn(cin: int, cout: int, stride: int) -> list[nn.Module]:
    return [
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    ]


def _deconv_bn(cin: int, cout: int) -> list[nn.Module]:
    return [
        nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    ]


class DenseCAE(Denoiser):
    """Conv block (with batch norm) -> flatten -> linear -> latent -> mirror -> sigmoid.

    Encoder: Conv(1->c1) BN ReLU, Conv(c1->c2, stride 2) BN ReLU,
    Conv(c2->c2, stride 2) BN ReLU, flatten, Linear(->hidden) ReLU,
    Linear(->latent). Decoder: Linear(latent->hidden) ReLU,
    Linear(hidden->c2*s*s) ReLU with s = patch/4, reshape, two 4x4 stride-2
    transposed convs with BN and ReLU, a 3x3 transposed conv to one channel,
    sigmoid. Only ``patch_size`` x ``patch_size`` inputs are accepted.

    Parameters
    ----------
    config : DenseCAEConfig
        Patch size (28 as in the report), conv widths, hidden and latent sizes.
    """

    stride_multiple = 4

    def __init__(self, config: DenseCAEConfig | None = None) -> None:
        config = config or DenseCAEConfig()
        super().__init__(config)
        self.fixed_size = config.patch_size
        self.receptive_field = config.patch_size
        c1, c2 = config.channels
        s = config.patch_size // 4
        self._shape = (c2, s, s)
        self.conv_encoder = nn.Sequential(
            *_conv_bn(1, c1, 1), *_conv_bn(c1, c2, 2), *_conv_bn(c2, c2, 2)
        )
        self.linear_encoder = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c2 * s * s, config.hidden),
            nn.ReLU(inplace=True),
            nn.Linear(config.hidden, config.latent),
        )
        self.linear_decoder = nn.Sequential(
            nn.Linear(config.latent, config.hidden),
            nn.ReLU(inplace=True),
            nn.Linear(config.hidden, c2 * s * s),
            nn.ReLU(inplace=True),
        )
        self.conv_decoder = nn.Sequential(
            *_deconv_bn(c2, c2),
            *_deconv_bn(c2, c1),
            nn.ConvTranspose2d(c1, 1, 3, padding=1),
            nn.Sigmoid(),
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Map patches (N, 1, P, P) to latent vectors (N, latent)."""
        return self.linear_encoder(self.conv_encoder(x))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Map latent vectors (N, latent) to patches (N, 1, P, P) in [0, 1]."""
        h = self.linear_decoder(z).view(z.shape[0], *self._shape)
        return self.conv_decoder(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Denoise patches (N, 1, P, P) in [0, 1], P = ``patch_size``."""
        p = self.fixed_size
        if x.shape[-2:] != (p, p):
            raise ValueError(f"dense-cae takes {p}x{p} patches, got {tuple(x.shape[-2:])}")
        return self.decode(self.encode(x))
