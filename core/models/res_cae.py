"""The shipped residual convolutional autoencoder (RED-Net style, FFDNet-style input).

Layout for ``widths = (w1, w2, w3)`` (all convs 3x3, ReLU):

- input ``x`` (N, 1, H, W) -> PixelUnshuffle(2) -> 4 channels at H/2
  (plus 4 noise-level channels when ``noise_level_input``);
- level 1 (H/2): conv -> w1, ``convs_per_level`` convs;
- level k (H/2^k): stride-2 conv -> wk, ``convs_per_level`` convs;
- bottleneck: ``bottleneck_convs`` convs at the coarsest level;
- decoder, coarse to fine: 2x2 stride-2 transposed conv to the finer width,
  *added* to that level's encoder features (symmetric skip), ReLU,
  ``convs_per_level`` convs;
- conv w1 -> 4, PixelShuffle(2) -> residual ``r`` (N, 1, H, W);
- output ``clamp(x - r, 0, 1)``.

With ``upsampling="resize"`` (the v2 models) every 2x step of the decoder is
a bilinear resize followed by a 1x1 convolution (the level's 3x3 convs
follow) instead of a 2x2 stride-2 transposed convolution, and the pixel shuffle is replaced by a
full-resolution refinement: a 1x1 conv w1 -> :data:`REFINE_IN` at H/2, a
bilinear resize to H, concatenated with ``x`` (and the full-resolution noise
map), then conv -> :data:`REFINE_WIDTH`, ReLU, conv -> 1 = ``r``. Transposed
convolutions and the shuffle give each of the 2x2 output phases its own
weights, which is what draws the 2-pixel grid (Odena et al., "Deconvolution
and checkerboard artifacts", Distill 2016); resize-convolution has no
per-phase weights.

Working at half resolution makes each conv 4x cheaper per pixel than at full
resolution and widens the receptive field; there is no batch norm, so a tile
gives exactly what the same pixels give inside a whole image once the tile's
border is beyond the receptive field.
"""

from __future__ import annotations

import torch
from torch import nn

from denoscope.core.models.base import Denoiser
from denoscope.core.models.config import ResCAEConfig


def _convs(cin: int, cout: int, n: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(n):
        layers += [nn.Conv2d(cin if i == 0 else cout, cout, 3, padding=1), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


def _reach(levels: int, n: int, bottleneck: int) -> int:
    """Upper bound of how far (full-resolution pixels) an output pixel sees to one side.

    A 3x3 conv at scale ``s`` adds ``s``; a resampling step (unshuffle, stride-2
    conv, transposed conv, shuffle) adds its finer scale for grid alignment.
    """
    reach = 1 + 2 + 2 * n  # unshuffle, head conv and level-1 convs (scale 2)
    for k in range(2, levels + 1):
        reach += 2**k + n * 2**k  # stride-2 conv from scale 2^(k-1), convs at 2^k
    reach += bottleneck * 2**levels
    for k in range(levels - 1, 0, -1):
        reach += 2**k + n * 2**k  # transposed conv to scale 2^k, convs there
    return reach + 2 + 1  # tail conv at scale 2, shuffle


def _reach_resize(levels: int, n: int, bottleneck: int) -> int:
    """:func:`_reach` for ``upsampling="resize"``: each bilinear resize adds one coarse pixel."""
    reach = 1 + 2 + 2 * n
    for k in range(2, levels + 1):
        reach += 2**k + n * 2**k
    reach += bottleneck * 2**levels
    for k in range(levels - 1, 0, -1):
        reach += 2 ** (k + 1) + n * 2**k  # resize from 2^(k+1) (then a 1x1 conv), convs at 2^k
    return reach + 2 + 2  # resize from scale 2, two full-resolution convs


#: Channels the decoder hands to the full-resolution refinement (``upsampling="resize"``).
REFINE_IN = 8

#: Width of the full-resolution refinement conv (``upsampling="resize"``).
REFINE_WIDTH = 12


class ResCAE(Denoiser):
    """Residual autoencoder with symmetric skips, predicting the noise.

    Parameters
    ----------
    config : ResCAEConfig
        Widths per level, convs per level, bottleneck depth, noise-level input.
    """

    def __init__(self, config: ResCAEConfig | None = None) -> None:
        config = config or ResCAEConfig()
        super().__init__(config)
        widths = config.widths
        n = config.convs_per_level
        levels = len(widths)
        self.stride_multiple = 2**levels
        self.noise_level_input = config.noise_level_input
        self.resize = config.upsampling == "resize"
        reach = _reach_resize if self.resize else _reach
        self.receptive_field = 2 * reach(levels, n, config.bottleneck_convs) + 1
        cin = 8 if config.noise_level_input else 4
        self.unshuffle = nn.PixelUnshuffle(2)
        self.shuffle = nn.PixelShuffle(2)
        self.head = nn.Sequential(nn.Conv2d(cin, widths[0], 3, padding=1), nn.ReLU(inplace=True))
        self.enc = nn.ModuleList([_convs(widths[0], widths[0], n)])
        self.down = nn.ModuleList()
        for k in range(1, levels):
            self.down.append(
                nn.Sequential(
                    nn.Conv2d(widths[k - 1], widths[k], 3, stride=2, padding=1),
                    nn.ReLU(inplace=True),
                )
            )
            self.enc.append(_convs(widths[k], widths[k], n))
        self.bottleneck = _convs(widths[-1], widths[-1], config.bottleneck_convs)
        if self.resize:
            self.up = nn.ModuleList(
                [
                    nn.Sequential(
                        nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                        nn.Conv2d(widths[k], widths[k - 1], 1),
                    )
                    for k in range(levels - 1, 0, -1)
                ]
            )
        else:
            self.up = nn.ModuleList(
                [
                    nn.ConvTranspose2d(widths[k], widths[k - 1], 2, stride=2)
                    for k in range(levels - 1, 0, -1)
                ]
            )
        self.dec = nn.ModuleList(
            [_convs(widths[k - 1], widths[k - 1], n) for k in range(levels - 1, 0, -1)]
        )
        if self.resize:
            self.tail = nn.Conv2d(widths[0], REFINE_IN, 1)
            extra = 2 if config.noise_level_input else 1
            self.refine = nn.Sequential(
                nn.Conv2d(REFINE_IN + extra, REFINE_WIDTH, 3, padding=1),
                nn.ReLU(inplace=True),
                nn.Conv2d(REFINE_WIDTH, 1, 3, padding=1),
            )
            last = self.refine[-1]
        else:
            self.tail = nn.Conv2d(widths[0], 4, 3, padding=1)
            last = self.tail
        with torch.no_grad():  # start close to the identity: a small initial residual
            last.weight.mul_(0.1)
            last.bias.zero_()

    def forward(
        self, x: torch.Tensor, noise_level: torch.Tensor | float | None = None
    ) -> torch.Tensor:
        """Denoise a batch.

        Parameters
        ----------
        x : torch.Tensor
            (N, 1, H, W) in [0, 1], H and W multiples of :attr:`stride_multiple`.
        noise_level : tensor or float, optional
            Gaussian-equivalent noise sigma in [0, 1] units, a scalar, one per
            image (N,), or a map (N, 1, H, W). Used only with
            ``noise_level_input``; when omitted there it is estimated from ``x``
            (:func:`estimate_noise_sigma`).

        Returns
        -------
        torch.Tensor
            (N, 1, H, W) in [0, 1].
        """
        h = self.unshuffle(x)
        sigma = self._sigma_full(x, noise_level) if self.noise_level_input else None
        if sigma is not None:
            h = torch.cat([h, nn.functional.pixel_unshuffle(sigma, 2)], dim=1)
        h = self.enc[0](self.head(h))
        skips = [h]
        for down, enc in zip(self.down, self.enc[1:], strict=True):
            h = enc(down(h))
            skips.append(h)
        h = self.bottleneck(h) + h if len(self.bottleneck) else h
        for up, dec, skip in zip(self.up, self.dec, reversed(skips[:-1]), strict=True):
            h = dec(torch.relu(up(h) + skip))
        if self.resize:
            up = nn.functional.interpolate(
                self.tail(h), scale_factor=2, mode="bilinear", align_corners=False
            )
            parts = [up, x] if sigma is None else [up, x, sigma]
            residual = self.refine(torch.cat(parts, dim=1))
        else:
            residual = self.shuffle(self.tail(h))
        return torch.clamp(x - residual, 0.0, 1.0)

    @staticmethod
    def _sigma_full(x: torch.Tensor, noise_level: torch.Tensor | float | None) -> torch.Tensor:
        """The noise level as a (N, 1, H, W) map, from a scalar, (N,) or a map."""
        n, _, hh, ww = x.shape
        if noise_level is None:
            sigma = estimate_noise_sigma(x)
        else:
            sigma = torch.as_tensor(noise_level, dtype=x.dtype, device=x.device)
        if sigma.ndim == 4:
            return sigma.expand(n, 1, hh, ww).contiguous()
        if sigma.ndim == 2:  # one (H, W) map for the whole batch
            return sigma[None, None].expand(n, 1, hh, ww).contiguous()
        return sigma.reshape(-1, 1, 1, 1).expand(n, 1, hh, ww).contiguous()


def estimate_noise_sigma(x: torch.Tensor) -> torch.Tensor:
    """Estimate the Gaussian noise sigma of each image (Donoho's MAD on Haar HH).

    Parameters
    ----------
    x : torch.Tensor
        (N, 1, H, W), H and W even.

    Returns
    -------
    torch.Tensor
        (N,) sigma estimates in the units of ``x``.
    """
    a = x[..., 0::2, 0::2]
    b = x[..., 0::2, 1::2]
    c = x[..., 1::2, 0::2]
    d = x[..., 1::2, 1::2]
    hh = (a - b - c + d) / 2
    return hh.abs().flatten(1).median(dim=1).values / 0.6745
