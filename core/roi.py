"""Region-of-interest statistics: mean, SD, min, max, local PSNR/SSIM, noise reduction, CNR.

A region is a rectangle or an ellipse given by its bounding box in image
coordinates (``x`` = column, ``y`` = row of the top-left corner, ``width`` and
``height`` in pixels; pixel ``(r, c)`` covers ``[c, c+1) × [r, r+1)``). A pixel
belongs to the region when its centre lies inside it.

Statistics are computed on images in modality units (HU for CT). The local
PSNR and SSIM compare each image with the truth on the [0, 1] images
(``data_range=1``, the same convention as the full-image metrics): PSNR over
the region's pixels, SSIM over its bounding box (at least 11×11 pixels, the
SSIM window). The *noise SD* of an image is the standard deviation of
``image − truth`` in the region (in modality units); without a truth it is the
image's own SD in the region (meaningful on a uniform region). The *noise-SD
reduction* of the denoised image is ``1 − SD_denoised / SD_noisy``.

Contrast between two regions is ``mean₁ − mean₂``; the contrast-to-noise ratio
is ``|mean₁ − mean₂| / SD₂`` (region 2 is the background).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from denoscope.core.errors import ParameterError

SHAPES = ("rect", "ellipse")


@dataclass(frozen=True)
class Region:
    """A rectangle or ellipse in image coordinates (pixels).

    Attributes
    ----------
    shape : str
        ``"rect"`` or ``"ellipse"``.
    x, y : float
        Column and row of the bounding box's top-left corner.
    width, height : float
        Size of the bounding box in pixels.
    """

    shape: str
    x: float
    y: float
    width: float
    height: float

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ParameterError(
                "unknown region shape", got=repr(self.shape), expected="rect or ellipse"
            )
        values = (self.x, self.y, self.width, self.height)
        if not all(math.isfinite(float(v)) for v in values) or self.width <= 0 or self.height <= 0:
            raise ParameterError(
                "a region needs a finite position and a positive size",
                got=f"x={self.x}, y={self.y}, width={self.width}, height={self.height}",
            )

    def as_dict(self) -> dict[str, float | str]:
        """JSON-ready description."""
        return {
            "shape": self.shape,
            "x": round(float(self.x), 2),
            "y": round(float(self.y), 2),
            "width": round(float(self.width), 2),
            "height": round(float(self.height), 2),
        }


def region_mask(region: Region, shape: tuple[int, int]) -> NDArray[np.bool_]:
    """Boolean mask (rows, cols) of the pixels whose centres lie in ``region``."""
    rows, cols = int(shape[0]), int(shape[1])
    r = np.arange(rows)[:, None] + 0.5
    c = np.arange(cols)[None, :] + 0.5
    if region.shape == "rect":
        inside_r = (r >= region.y) & (r < region.y + region.height)
        inside_c = (c >= region.x) & (c < region.x + region.width)
        return np.asarray(inside_r & inside_c)
    cy, cx = region.y + region.height / 2.0, region.x + region.width / 2.0
    ry, rx = region.height / 2.0, region.width / 2.0
    return np.asarray(((r - cy) / ry) ** 2 + ((c - cx) / rx) ** 2 <= 1.0)


def _bbox(mask: NDArray[np.bool_]) -> tuple[slice, slice] | None:
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        return None
    return slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1)


def _local_ssim(truth01: NDArray, image01: NDArray, mask: NDArray[np.bool_]) -> float | None:
    from denoscope.core.metrics import ssim

    box = _bbox(mask)
    if box is None:
        return None
    a, b = truth01[box], image01[box]
    if min(a.shape) < 11:
        return None
    return float(ssim(a, b, data_range=1.0))


def region_stats(
    region: Region,
    images: Mapping[str, NDArray],
    *,
    truth: NDArray | None = None,
    images01: Mapping[str, NDArray] | None = None,
    truth01: NDArray | None = None,
    noisy_key: str = "noisy",
    denoised_key: str = "denoised",
) -> dict[str, dict[str, float | int | None]]:
    """Statistics of every image inside one region.

    Parameters
    ----------
    region : Region
        The region.
    images : mapping of str to ndarray (rows, cols)
        Images in modality units, by name.
    truth : ndarray, optional
        The truth in modality units (for the noise SD).
    images01, truth01 : optional
        The same images on [0, 1], for local PSNR/SSIM.
    noisy_key, denoised_key : str
        Names of the noisy and denoised images (for the noise-SD reduction).

    Returns
    -------
    dict
        Name -> ``{"pixels", "mean", "sd", "min", "max", "psnr", "ssim", "noise_sd",
        "noise_sd_reduction"}``; ``None`` where not defined. Raises
        :class:`ParameterError` when the region holds no pixel.
    """
    shape = next(iter(images.values())).shape
    mask = region_mask(region, shape)
    n = int(mask.sum())
    if n == 0:
        raise ParameterError(
            "the region holds no pixel of the image",
            got=str(region.as_dict()),
            fix="draw it over the image",
        )
    out: dict[str, dict[str, float | int | None]] = {}
    for name, image in images.items():
        values = np.asarray(image, np.float64)[mask]
        entry: dict[str, float | int | None] = {
            "pixels": n,
            "mean": float(values.mean()),
            "sd": float(values.std(ddof=1)) if n > 1 else 0.0,
            "min": float(values.min()),
            "max": float(values.max()),
            "psnr": None,
            "ssim": None,
            "noise_sd": None,
            "noise_sd_reduction": None,
        }
        if truth is not None:
            error = values - np.asarray(truth, np.float64)[mask]
            entry["noise_sd"] = float(error.std(ddof=1)) if n > 1 else 0.0
        else:
            entry["noise_sd"] = entry["sd"]
        if images01 is not None and truth01 is not None and name in images01:
            a = np.asarray(truth01, np.float64)
            b = np.asarray(images01[name], np.float64)
            mse = float(np.mean((a[mask] - b[mask]) ** 2))
            entry["psnr"] = float("inf") if mse == 0 else float(10.0 * np.log10(1.0 / mse))
            entry["ssim"] = _local_ssim(a, b, mask)
        out[name] = entry
    noisy, denoised = out.get(noisy_key), out.get(denoised_key)
    if noisy is not None and denoised is not None:
        base, after = noisy["noise_sd"], denoised["noise_sd"]
        if base is not None and after is not None and base > 0:
            denoised["noise_sd_reduction"] = float(1.0 - after / base)
    return out


def contrast(
    stats1: Mapping[str, Mapping[str, float | int | None]],
    stats2: Mapping[str, Mapping[str, float | int | None]],
) -> dict[str, dict[str, float | None]]:
    """Contrast ``mean₁ − mean₂`` and CNR ``|mean₁ − mean₂| / SD₂`` of each image.

    Parameters
    ----------
    stats1, stats2 : mapping
        :func:`region_stats` of the region of interest and of the background.

    Returns
    -------
    dict
        Name -> ``{"contrast", "cnr"}`` (``cnr`` is ``None`` when SD₂ is 0).
    """
    out: dict[str, dict[str, float | None]] = {}
    for name, first in stats1.items():
        second = stats2.get(name)
        if second is None:
            continue
        difference = float(first["mean"]) - float(second["mean"])
        sd = float(second["sd"] or 0.0)
        out[name] = {"contrast": difference, "cnr": abs(difference) / sd if sd > 0 else None}
    return out
