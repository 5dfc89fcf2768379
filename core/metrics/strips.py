"""Per-pixel metric maps of big images, a strip of rows at a time.

GMSD and the grid measure filter the whole image (a 3x3 Prewitt kernel after a
2x2 mean; a Gaussian of radius 16) and then average a per-pixel map. On an
8-megapixel radiograph each float64 image is 64 MB and the filters hold several
at once. Every value of those maps depends only on the rows within the filter's
reach, so the map is computed on horizontal strips, each read with ``halo``
extra rows above and below; the halo rows (whose values the strip's own border
changed) are dropped. The kept values are the whole-image values bit for bit;
only the final averaging sums in another order, so the results equal the
whole-image ones to float rounding (tested in ``tests/core/test_metrics_strips.py``).
:mod:`denoscope.core.metrics.ssim_strips` does the same for SSIM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

#: Images with more pixels than this have their maps computed in strips.
STRIP_PIXELS = 2_000_000

#: Rows of one strip (before its halo).
STRIP_ROWS = 256


def use_strips(shape: tuple[int, ...]) -> bool:
    """Whether an image of this shape is big enough to be measured in strips."""
    return int(np.prod(shape)) > STRIP_PIXELS


def row_windows(
    rows: int, *, halo: int, rows_per_strip: int = STRIP_ROWS, align: int = 1
) -> Iterator[tuple[int, int, int, int]]:
    """Strips of an image with ``rows`` rows: ``(lo, hi, top, bottom)`` for each.

    Read rows ``lo:hi`` to compute the map's exact values for rows ``top:bottom``.

    Parameters
    ----------
    rows : int
        Rows of the image.
    halo : int
        Rows the map's value at one row depends on, above and below.
    rows_per_strip : int, optional
        Rows kept per strip (rounded up to a multiple of ``align``).
    align : int, optional
        ``top``, ``lo`` and the strip height are multiples of it (2 for maps on
        the 2x-downsampled image, so each strip downsamples like the whole image).
    """
    step = -(-max(int(rows_per_strip), 1) // align) * align
    halo = -(-int(halo) // align) * align
    for top in range(0, rows, step):
        bottom = min(rows, top + step)
        yield max(0, top - halo), min(rows, bottom + halo), top, bottom


def sum_by_strips(
    reference: np.ndarray,
    test: np.ndarray,
    term: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    rows_per_strip: int = STRIP_ROWS,
) -> float:
    """``sum(term(reference, test))`` over float64 strips (a pixel-wise term needs no halo).

    Parameters
    ----------
    reference, test : ndarray, shape (rows, cols)
        Images of one shape (any numeric dtype; each strip is converted to float64).
    term : callable
        The per-pixel term, e.g. ``lambda r, t: (r - t) ** 2``.
    rows_per_strip : int, optional
        Rows per strip.

    Returns
    -------
    float
        The sum, equal to the whole-image sum to float rounding.
    """
    total = 0.0
    for lo, hi, _top, _bottom in row_windows(
        reference.shape[0], halo=0, rows_per_strip=rows_per_strip
    ):
        strip = term(np.asarray(reference[lo:hi], np.float64), np.asarray(test[lo:hi], np.float64))
        total += float(np.sum(strip, dtype=np.float64))
    return total


@dataclass
class Moments:
    """Count, mean and sum of squared deviations of values seen in parts (Chan et al.).

    Merging per-strip moments gives the whole map's mean and (population)
    standard deviation without holding the map.
    """

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def add(self, values: np.ndarray) -> None:
        """Merge the values of one part."""
        count = int(values.size)
        if count == 0:
            return
        mean = float(np.mean(values, dtype=np.float64))
        m2 = float(np.sum((values - mean) ** 2, dtype=np.float64))
        total = self.count + count
        delta = mean - self.mean
        self.m2 += m2 + delta * delta * self.count * count / total
        self.mean += delta * count / total
        self.count = total

    def std(self) -> float:
        """Population standard deviation (``np.std``'s default) of everything added."""
        return float(np.sqrt(self.m2 / self.count)) if self.count else float("nan")
