"""Low-contrast disc lesions: placement inside the anatomy, insertion, and per-lesion contrast.

A lesion is a hard-edged disc of radius ``r`` pixels whose value is raised (or
lowered) by ``contrast`` ([0, 1] units). Its contrast in any image is measured
as the mean inside the disc minus the mean in a surrounding ring
(:func:`disc_ring_contrast`); the ring spans radii ``r + RING_GAP_PX`` to
``r + RING_GAP_PX + max(RING_MIN_WIDTH_PX, r)``. Lesions are placed at seeded
random positions inside the anatomy (the Otsu foreground of the clean image,
holes filled), preferably in flat tissue (edge strength below the median of
the anatomy), with whole rings inside the anatomy (distance to its border
larger than the ring's outer radius) and no two lesions' rings overlapping.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from denoscope.core.errors import ParameterError

#: Gap between the disc and its background ring, pixels.
RING_GAP_PX = 2
#: Smallest width of the background ring, pixels.
RING_MIN_WIDTH_PX = 3
#: Default lesion radius range (inclusive), pixels.
RADIUS_RANGE = (2, 8)
#: Default contrast range, in multiples of the local noise σ.
CONTRAST_RANGE = (0.5, 3.0)


@dataclass(frozen=True)
class Lesion:
    """One inserted disc.

    Attributes
    ----------
    row, col : int
        Centre (pixels).
    radius : int
        Disc radius (pixels).
    contrast : float
        Intended signed contrast, [0, 1] units.
    sigma : float
        Local noise σ at the disc ([0, 1] units, mean over the disc).
    """

    row: int
    col: int
    radius: int
    contrast: float
    sigma: float

    @property
    def outer(self) -> int:
        """Outer radius of the background ring."""
        return self.radius + RING_GAP_PX + max(RING_MIN_WIDTH_PX, self.radius)

    @property
    def cnr(self) -> float:
        """Contrast in multiples of the local noise σ."""
        return self.contrast / self.sigma if self.sigma > 0 else float("inf")

    def as_dict(self) -> dict[str, float]:
        """JSON-ready fields plus the contrast-to-noise ratio."""
        return {**asdict(self), "cnr": self.cnr}


def _offsets(radius: float) -> tuple[np.ndarray, np.ndarray]:
    span = int(np.ceil(radius))
    dy, dx = np.mgrid[-span : span + 1, -span : span + 1]
    return dy, dx


def _pixels(lesion: Lesion, shape: tuple[int, int], low: float, high: float) -> tuple:
    dy, dx = _offsets(high)
    d2 = dy**2 + dx**2
    keep = (d2 >= low**2) & (d2 <= high**2) if low > 0 else d2 <= high**2
    rows, cols = dy[keep] + lesion.row, dx[keep] + lesion.col
    inside = (rows >= 0) & (rows < shape[0]) & (cols >= 0) & (cols < shape[1])
    return rows[inside], cols[inside]


def disc_pixels(lesion: Lesion, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the disc."""
    return _pixels(lesion, shape, 0.0, float(lesion.radius))


def ring_pixels(lesion: Lesion, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the background ring."""
    inner = float(lesion.radius + RING_GAP_PX)
    return _pixels(lesion, shape, inner, float(lesion.outer))


def disc_ring_contrast(image: ArrayLike, lesion: Lesion) -> float:
    """Mean inside the disc minus mean in its ring (image units)."""
    array = np.asarray(image)
    disc, ring = disc_pixels(lesion, array.shape), ring_pixels(lesion, array.shape)
    return float(array[disc].mean() - array[ring].mean())


def lesion_mask(
    shape: tuple[int, int], lesions: list[Lesion], *, region: str = "disc"
) -> NDArray[np.bool_]:
    """Boolean mask of the lesions' discs (``region="disc"``) or whole disc + ring (``"outer"``)."""
    if region not in ("disc", "outer"):
        raise ParameterError("unknown lesion region", got=repr(region), expected="disc or outer")
    mask = np.zeros(shape, bool)
    for lesion in lesions:
        high = float(lesion.radius if region == "disc" else lesion.outer)
        mask[_pixels(lesion, shape, 0.0, high)] = True
    return mask


def anatomy_mask(clean01: ArrayLike) -> NDArray[np.bool_]:
    """The anatomy: Otsu foreground of the clean image with holes filled (all pixels if flat)."""
    from skimage.filters import threshold_otsu

    image = np.asarray(clean01, dtype=np.float32)
    if float(image.max() - image.min()) < 1e-6:
        return np.ones(image.shape, bool)
    return ndimage.binary_fill_holes(image > threshold_otsu(image))


def place_lesions(
    clean01: ArrayLike,
    sigma01: ArrayLike | float,
    *,
    n: int = 12,
    radius_range: tuple[int, int] = RADIUS_RANGE,
    contrast_range: tuple[float, float] = CONTRAST_RANGE,
    polarity: str = "both",
    rng: int | np.random.Generator | None = 0,
) -> list[Lesion]:
    """Choose up to ``n`` non-overlapping lesions at seeded random positions in the anatomy.

    Parameters
    ----------
    clean01 : array_like, shape (rows, cols)
        Clean image in [0, 1].
    sigma01 : array_like of shape (rows, cols), or float
        Local noise σ, [0, 1] units; each lesion's contrast is a multiple of its mean over the disc.
    n : int, optional
        Lesions wanted (fewer are returned when the anatomy has no room).
    radius_range : (int, int), optional
        Smallest and largest radius in pixels (inclusive).
    contrast_range : (float, float), optional
        Contrast range in multiples of the local σ.
    polarity : {"both", "bright", "dark"}, optional
        Sign of the contrast (``"both"``: random).
    rng : int or Generator, optional
        Seed.

    Returns
    -------
    list of Lesion
        In placement order.
    """
    image = np.asarray(clean01, dtype=np.float32)
    if image.ndim != 2:
        raise ParameterError("lesions go into a 2-D image", got=f"shape {image.shape}")
    low_r, high_r = (int(v) for v in radius_range)
    low_c, high_c = (float(v) for v in contrast_range)
    if not (1 <= low_r <= high_r) or not (0 < low_c <= high_c):
        raise ParameterError(
            "bad lesion ranges",
            got=f"radius {radius_range}, contrast {contrast_range}",
            expected="1 <= r_min <= r_max and 0 < c_min <= c_max",
        )
    if polarity not in ("both", "bright", "dark"):
        raise ParameterError("unknown polarity", got=repr(polarity), expected="both, bright, dark")
    sigma = np.broadcast_to(np.asarray(sigma01, dtype=np.float32), image.shape)
    generator = np.random.default_rng(rng)
    anatomy = anatomy_mask(image)
    edges = ndimage.gaussian_gradient_magnitude(image, 2.0)
    flat = anatomy & (edges <= np.median(edges[anatomy])) if anatomy.any() else anatomy
    depth = ndimage.distance_transform_edt(np.pad(anatomy, 1))[1:-1, 1:-1]
    smallest = low_r + RING_GAP_PX + max(RING_MIN_WIDTH_PX, low_r)
    room = depth > smallest + 1
    candidates = np.argwhere(room & flat)
    if len(candidates) == 0:
        candidates = np.argwhere(room)
    lesions: list[Lesion] = []
    if len(candidates) == 0:
        return lesions
    order = generator.permutation(len(candidates))
    for index in order[: max(200 * n, 2000)]:
        if len(lesions) >= n:
            break
        row, col = (int(v) for v in candidates[index])
        radius = int(generator.integers(low_r, high_r + 1))
        multiple = float(generator.uniform(low_c, high_c))
        sign = {"bright": 1.0, "dark": -1.0}.get(polarity, float(generator.choice((-1.0, 1.0))))
        trial = Lesion(row, col, radius, 0.0, 1.0)
        if depth[row, col] <= trial.outer + 1:  # the ring must lie inside the anatomy
            continue
        if any(
            (trial.row - o.row) ** 2 + (trial.col - o.col) ** 2 <= (trial.outer + o.outer) ** 2
            for o in lesions
        ):
            continue
        local = float(sigma[disc_pixels(trial, image.shape)].mean())
        lesions.append(Lesion(row, col, radius, sign * multiple * local, local))
    return lesions


def insert_lesions(clean01: ArrayLike, lesions: list[Lesion]) -> NDArray[np.float32]:
    """The clean image with every disc added (then clipped to [0, 1]).

    Parameters
    ----------
    clean01 : array_like, shape (rows, cols)
        Clean image in [0, 1].
    lesions : list of Lesion
        The discs.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
    """
    out = np.array(clean01, dtype=np.float32, copy=True)
    for lesion in lesions:
        out[disc_pixels(lesion, out.shape)] += np.float32(lesion.contrast)
    return np.clip(out, 0.0, 1.0).astype(np.float32)
