"""Training losses: MSE, L1, Poisson negative log-likelihood, MSE + SSIM, PSNR, texture."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from denoscope.core.errors import ParameterError

LOSSES: tuple[str, ...] = ("mse", "l1", "poisson", "mse+ssim", "psnr", "texture")

#: Weight of ``1 - SSIM`` in the ``texture`` loss (dB per unit of SSIM).
TEXTURE_SSIM_WEIGHT = 10.0

#: Weight of the spectrum term in the ``texture`` loss.
TEXTURE_SPECTRUM_WEIGHT = 100.0

#: Weight of ``1 - SSIM`` in the ``mse+ssim`` loss.
SSIM_WEIGHT = 0.05

#: Photons at full scale assumed by the Poisson loss (counts = image * scale).
POISSON_SCALE = 255.0


def _gaussian_window(size: int = 11, sigma: float = 1.5) -> torch.Tensor:
    x = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    g = torch.exp(-(x**2) / (2 * sigma**2))
    g = g / g.sum()
    return (g[:, None] * g[None, :])[None, None]


def ssim_torch(x: torch.Tensor, y: torch.Tensor, *, data_range: float = 1.0) -> torch.Tensor:
    """Differentiable mean SSIM (Gaussian window 11, sigma 1.5, K1=0.01, K2=0.03).

    Parameters
    ----------
    x, y : Tensor
        (N, 1, H, W) images.
    data_range : float, optional
        Intensity range.

    Returns
    -------
    Tensor
        Scalar mean SSIM over valid window positions.
    """
    w = _gaussian_window().to(x)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mx, my = F.conv2d(x, w), F.conv2d(y, w)
    sxx = F.conv2d(x * x, w) - mx**2
    syy = F.conv2d(y * y, w) - my**2
    sxy = F.conv2d(x * y, w) - mx * my
    num = (2 * mx * my + c1) * (2 * sxy + c2)
    den = (mx**2 + my**2 + c1) * (sxx + syy + c2)
    return (num / den).mean()


def poisson_nll(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Poisson negative log-likelihood of the target counts given the predicted mean.

    The second report's suggestion for photon noise: with ``lambda = pred * s`` and
    ``k = target * s`` (``s`` = :data:`POISSON_SCALE`), ``lambda - k log(lambda)``,
    minus its value at ``lambda = k`` so a perfect prediction scores 0, divided by ``s``.
    """
    s = POISSON_SCALE
    lam = pred.clamp_min(1e-6) * s
    k = target * s
    best = k - k * torch.log(k.clamp_min(1e-6))
    return ((lam - k * torch.log(lam)) - best).mean() / s


#: Floor added to each patch's MSE in the ``texture`` loss (caps a patch's PSNR at 60 dB).
#: Without it a clean patch (MSE near 0) has a log-MSE gradient near infinity and drags
#: the whole network to the identity.
TEXTURE_MSE_FLOOR = 1e-6


def psnr_loss(
    pred: torch.Tensor, target: torch.Tensor, *, mse_floor: float = 1e-10
) -> torch.Tensor:
    """Negative mean per-image PSNR (dB, data range 1): ``mean_i 10 log10(MSE_i + 1e-10)``.

    Blind training mixes noise levels whose squared errors differ by orders of
    magnitude; plain MSE then spends the network on the noisiest patches and
    neglects faint noise. The log makes every patch count by its *relative*
    improvement, which is what the mean PSNR over test images measures.
    """
    mse = ((pred - target) ** 2).flatten(1).mean(dim=1)
    return 10.0 * torch.log10(mse + mse_floor).mean()


def spectrum_l1(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference of the amplitude spectra (orthonormal 2D FFT).

    Phase-blind, so it does not ask the network to reproduce the noise; it asks
    the output to carry as much power at each spatial frequency as the truth.
    A denoiser that flattens texture loses high-frequency power and pays here
    even where the pixel-wise error is small.
    """
    fp = torch.fft.rfft2(pred, norm="ortho").abs()
    ft = torch.fft.rfft2(target, norm="ortho").abs()
    return (fp - ft).abs().mean()


def texture_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """PSNR loss + SSIM + spectrum: fidelity that keeps texture.

    ``psnr_loss (MSE floored at TEXTURE_MSE_FLOOR) + TEXTURE_SSIM_WEIGHT * (1 - SSIM)
    + TEXTURE_SPECTRUM_WEIGHT * spectrum_l1``.
    The per-patch log-MSE weights faint and strong noise alike (see
    :func:`psnr_loss`); SSIM rewards kept local structure and contrast; the
    amplitude-spectrum term penalises lost (or added) power per frequency,
    the over-smoothing that LPIPS sees and PSNR does not.
    """
    return (
        psnr_loss(pred, target, mse_floor=TEXTURE_MSE_FLOOR)
        + TEXTURE_SSIM_WEIGHT * (1.0 - ssim_torch(pred, target))
        + TEXTURE_SPECTRUM_WEIGHT * spectrum_l1(pred, target)
    )


def make_loss(name: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """Return the loss ``f(prediction, clean) -> scalar`` called ``name``.

    Parameters
    ----------
    name : {"mse", "l1", "poisson", "mse+ssim", "psnr", "texture"}
        The loss.

    Returns
    -------
    callable
        The loss function.
    """
    if name == "mse":
        return F.mse_loss
    if name == "l1":
        return F.l1_loss
    if name == "poisson":
        return poisson_nll
    if name == "mse+ssim":
        return lambda p, t: F.mse_loss(p, t) + SSIM_WEIGHT * (1.0 - ssim_torch(p, t))
    if name == "psnr":
        return psnr_loss
    if name == "texture":
        return texture_loss
    raise ParameterError("unknown loss", got=repr(name), expected=", ".join(LOSSES))
