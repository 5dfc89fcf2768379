"""SSIM of big images in horizontal strips: the same value, a fraction of the memory.

scikit-image's ``structural_similarity`` holds about a dozen float64 images the
size of its input at once (1 GB for an 8-megapixel radiograph). SSIM is local:
each value of the SSIM map depends only on the pixels inside its Gaussian
window (radius ``r = int(truncate * sigma + 0.5)``, 5 pixels for the
settings of :data:`~denoscope.core.metrics.fidelity.SSIM_SETTINGS`). So the map
is computed strip by strip, each strip read with ``r`` extra rows above and
below (whose border-filtered values are dropped), and the mean is taken over
the same cropped region as scikit-image's (``(win_size - 1) // 2`` pixels off
every side). The result equals the whole-image SSIM to float rounding
(tested), with memory bounded by the strip, not the image.
"""

from __future__ import annotations

import numpy as np

from denoscope.core.metrics.strips import STRIP_PIXELS, STRIP_ROWS

__all__ = ["STRIP_PIXELS", "STRIP_ROWS", "ssim_by_strips"]


def ssim_by_strips(
    reference: np.ndarray,
    test: np.ndarray,
    *,
    data_range: float,
    settings: dict[str, object],
    rows_per_strip: int = STRIP_ROWS,
) -> float:
    """Mean SSIM of two (rows, cols) images, computed strip by strip (see module doc).

    Parameters
    ----------
    reference, test : ndarray, shape (rows, cols)
        Checked images of one shape, at least 11 pixels on each side.
    data_range : float
        Intensity range.
    settings : dict
        Keyword arguments of ``structural_similarity`` (Gaussian weights, sigma...).
    rows_per_strip : int, optional
        Strip height before the halo.

    Returns
    -------
    float
        The mean SSIM, as ``structural_similarity`` computes it on the whole images.
    """
    from skimage.metrics import structural_similarity

    sigma = float(settings.get("sigma", 1.5))
    truncate = 3.5
    radius = int(truncate * sigma + 0.5)
    pad = radius  # scikit-image crops (win_size - 1) // 2 == radius on every side
    rows, cols = reference.shape
    step = max(int(rows_per_strip), 2 * radius + 1)
    total, count = 0.0, 0
    for top in range(0, rows, step):
        bottom = min(rows, top + step)
        lo, hi = max(0, top - radius), min(rows, bottom + radius)
        if hi - lo < 2 * radius + 1:  # a last sliver: widen its read window upwards
            lo = max(0, hi - (2 * radius + 1))
        _mean, ssim_map = structural_similarity(
            np.asarray(reference[lo:hi], np.float64),  # as the whole image is compared
            np.asarray(test[lo:hi], np.float64),
            data_range=data_range,
            full=True,
            **settings,
        )
        first, last = max(top, pad), min(bottom, rows - pad)
        if last <= first:
            continue
        kept = ssim_map[first - lo : last - lo, pad : cols - pad]
        total += float(kept.sum(dtype=np.float64))
        count += kept.size
    return total / count
