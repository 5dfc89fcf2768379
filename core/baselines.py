"""Classical denoisers to compare the networks against, behind one interface.

Every baseline is ``apply(image01, *, level) -> image01``: a float32 (rows, cols)
image in [0, 1] and ``level``, the Gaussian-equivalent noise standard deviation
σ in [0, 1] units (known from the simulator, or from :func:`estimate_sigma`).
Each filter's parameters are derived from σ as documented on its entry; the
rules were checked on ``camera`` with Gaussian σ = 0.1 against the peers
measured in DATA.md (NL-means 29.0 dB, TV 28.3 dB, Gaussian σ=1 px 27.3 dB,
median 3x3 25.7 dB). ``level == 0`` returns the image unchanged.

The second report's set is median, Gaussian, average (box) and bilateral; NL-means,
total variation, wavelet (BayesShrink) and BM3D (only when the optional,
non-commercial ``bm3d`` package imports) are stronger classical peers.

NL-means uses h = 0.6σ rather than the 0.8σ often quoted for fast mode: on
``camera`` at σ = 0.03, 0.05, 0.1 and 0.2 it was better by 0.1-0.5 dB PSNR and
0.004-0.018 SSIM (28.99 dB / 0.764 against 28.79 dB / 0.760 at σ = 0.1).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from denoscope.core.errors import ParameterError

Filter = Callable[[NDArray[np.float64], float], NDArray[np.float64]]


def estimate_sigma(image01: ArrayLike) -> float:
    """Estimate the Gaussian noise σ of a [0, 1] image (wavelet MAD, scikit-image).

    Parameters
    ----------
    image01 : array_like, shape (rows, cols)
        Noisy image in [0, 1].

    Returns
    -------
    float
        σ in [0, 1] units (:func:`skimage.restoration.estimate_sigma`).
    """
    from skimage.restoration import estimate_sigma as skimage_estimate_sigma

    image = np.asarray(image01, dtype=np.float64)
    return float(skimage_estimate_sigma(image, channel_axis=None))


def _odd_size(level: float, per_sigma: float) -> int:
    """Odd window side ``2 * max(1, round(per_sigma * σ)) + 1`` (3, 5, 7... as σ grows)."""
    return int(2 * max(1, round(level * per_sigma)) + 1)


def _median(image: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    return ndimage.median_filter(image, size=_odd_size(level, 5.0), mode="reflect")


def _gaussian(image: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    return ndimage.gaussian_filter(
        image, sigma=float(np.clip(10.0 * level, 0.5, 4.0)), mode="reflect"
    )


def _average(image: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    return ndimage.uniform_filter(image, size=_odd_size(level, 5.0), mode="reflect")


def _bilateral(image: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    from skimage.restoration import denoise_bilateral

    return denoise_bilateral(
        image,
        sigma_color=2.0 * level,
        sigma_spatial=1.5,
        win_size=7,
        mode="reflect",
        channel_axis=None,
    )


def _nlmeans(image: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    from skimage.restoration import denoise_nl_means

    return denoise_nl_means(
        image,
        h=0.6 * level,
        sigma=level,
        patch_size=5,
        patch_distance=6,
        fast_mode=True,
        channel_axis=None,
    )


def _tv(image: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    from skimage.restoration import denoise_tv_chambolle

    return denoise_tv_chambolle(image, weight=level, channel_axis=None)


def _wavelet(image: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    from skimage.restoration import denoise_wavelet

    return denoise_wavelet(
        image,
        sigma=level,
        wavelet="sym4",
        mode="soft",
        method="BayesShrink",
        rescale_sigma=True,
        channel_axis=None,
    )


def _bm3d(image: NDArray[np.float64], level: float) -> NDArray[np.float64]:
    import bm3d

    return np.asarray(bm3d.bm3d(image, sigma_psd=level), dtype=np.float64)


@dataclass(frozen=True)
class Baseline:
    """A classical denoiser and how its parameters follow the noise level.

    Attributes
    ----------
    name : str
        Registry key.
    label : str
        Human-readable name.
    description : str
        The parameter rule in one sentence.
    function : callable
        ``function(image_float64, sigma) -> image_float64``.
    """

    name: str
    label: str
    description: str
    function: Filter = field(repr=False)

    def apply(self, image01: ArrayLike, *, level: float) -> NDArray[np.float32]:
        """Denoise a (rows, cols) [0, 1] image assuming Gaussian-equivalent noise σ = ``level``.

        Parameters
        ----------
        image01 : array_like, shape (rows, cols)
            Noisy image in [0, 1].
        level : float
            Noise standard deviation in [0, 1] units, in [0, 1].

        Returns
        -------
        ndarray of float32, shape (rows, cols)
            The filtered image, clipped to [0, 1].
        """
        image = np.asarray(image01, dtype=np.float64)
        if image.ndim != 2:
            raise ParameterError(
                "baselines take one 2-D image", got=f"shape {image.shape}", expected="(rows, cols)"
            )
        sigma = float(level)
        if not (np.isfinite(sigma) and 0.0 <= sigma <= 1.0):
            raise ParameterError("noise level out of range", got=str(level), expected="σ in [0, 1]")
        if sigma == 0.0:
            return np.clip(image, 0.0, 1.0).astype(np.float32)
        return np.clip(self.function(image, sigma), 0.0, 1.0).astype(np.float32)


_ENTRIES = [
    Baseline(
        "median",
        "Median",
        "Median filter, square window 3x3 for σ < 0.3, 5x5 up to 0.5, then larger.",
        _median,
    ),
    Baseline(
        "gaussian",
        "Gaussian",
        "Gaussian filter with σ_px = 10·σ pixels, clamped to [0.5, 4].",
        _gaussian,
    ),
    Baseline(
        "average", "Average (box)", "Box (mean) filter, same window rule as the median.", _average
    ),
    Baseline(
        "bilateral",
        "Bilateral",
        "scikit-image bilateral: σ_color = 2σ, σ_spatial = 1.5 px, 7x7 window.",
        _bilateral,
    ),
    Baseline(
        "nlmeans",
        "Non-local means",
        "scikit-image fast NL-means, σ-aware: h = 0.6σ, sigma = σ, patch 5, distance 6.",
        _nlmeans,
    ),
    Baseline("tv", "Total variation", "Chambolle total variation with weight = σ.", _tv),
    Baseline(
        "wavelet",
        "Wavelet (BayesShrink)",
        "BayesShrink soft thresholding (sym4 wavelet) with the given σ.",
        _wavelet,
    ),
]
if importlib.util.find_spec("bm3d") is not None:
    _ENTRIES.append(
        Baseline(
            "bm3d",
            "BM3D",
            "bm3d.bm3d with sigma_psd = σ (optional package, non-commercial licence).",
            _bm3d,
        )
    )

#: Classical denoisers by name (read-only); "bm3d" only when the package is installed.
BASELINES: Mapping[str, Baseline] = MappingProxyType({b.name: b for b in _ENTRIES})
