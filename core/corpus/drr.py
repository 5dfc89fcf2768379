"""Digitally reconstructed radiographs (DRRs) simulated from real CT volumes.

Physics (monochromatic, parallel beam): a CT voxel of ``HU`` has linear
attenuation ``mu = mu_water * (1 + HU / 1000)`` (air 0, water ``mu_water``);
bone is given an extra weight (photo-electric absorption at diagnostic
energies) that grows linearly from 1 at ``HU = 150`` to ``bone_weight`` at
``HU = 1000``. The line integral ``p = sum(mu * dy)`` along the beam is the
clean radiograph in the ``-log`` domain; the detector sees
``I = I0 * exp(-p)``. A noisy radiograph draws Poisson quanta on ``I``, adds
Gaussian read-out noise, and takes ``-log(I / I0)`` again.

The beam direction is varied by rotating the volume about its body axis with
:func:`scipy.ndimage.rotate` before summing (frontal +/- 25 degrees and
lateral +/- 15 degrees).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import ndimage

#: Linear attenuation of water at about 60 keV, per mm.
MU_WATER_PER_MM = 0.0206


@dataclass(frozen=True)
class DRRParams:
    """Parameters of one simulated radiograph.

    Attributes
    ----------
    angle_deg : float
        Rotation about the body (z) axis; 0 is a frontal (AP) view, 90 lateral.
    bone_weight : float
        Attenuation multiplier reached by dense bone (HU >= 1000).
    crop : tuple of float
        (top, bottom, left, right) fractions of the projection cut away.
    i0 : float
        Photons per detector pixel of the unattenuated beam (noisy version only).
    read_sigma : float
        Gaussian read-out noise in photons (noisy version only).
    """

    angle_deg: float
    bone_weight: float
    crop: tuple[float, float, float, float]
    i0: float
    read_sigma: float

    def as_dict(self) -> dict[str, object]:
        """Return the parameters as a JSON-friendly dict."""
        return asdict(self)


def random_params(rng: np.random.Generator, *, lateral: bool | None = None) -> DRRParams:
    """Draw DRR parameters: view, bone weighting, crop and dose.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    lateral : bool, optional
        Force a lateral (True) or frontal (False) view; random (1 in 4 lateral) when None.

    Returns
    -------
    DRRParams
        The drawn parameters.
    """
    if lateral is None:
        lateral = bool(rng.random() < 0.25)
    angle = 90.0 + rng.uniform(-15, 15) if lateral else rng.uniform(-25, 25)
    crop = tuple(float(c) for c in rng.uniform(0.0, 0.15, size=4))
    return DRRParams(
        angle_deg=float(angle),
        bone_weight=float(rng.uniform(1.0, 2.0)),
        crop=crop,  # type: ignore[arg-type]
        i0=float(10 ** rng.uniform(3.0, 5.0)),
        read_sigma=float(rng.uniform(0.0, 5.0)),
    )


def attenuation(hu: np.ndarray, *, bone_weight: float = 1.0) -> np.ndarray:
    """Convert Hounsfield units to linear attenuation per mm.

    Parameters
    ----------
    hu : ndarray
        CT values in HU.
    bone_weight : float, optional
        Multiplier reached by dense bone; 1 is a pure water-equivalent model.

    Returns
    -------
    ndarray
        float32 attenuation per mm, >= 0.
    """
    hu = np.asarray(hu, dtype=np.float32)
    mu = MU_WATER_PER_MM * np.clip(1.0 + hu / 1000.0, 0.0, None)
    if bone_weight != 1.0:
        w = 1.0 + (bone_weight - 1.0) * np.clip((hu - 150.0) / 850.0, 0.0, 1.0)
        mu = mu * w
    return mu.astype(np.float32)


def line_integrals(
    hu_zyx: np.ndarray,
    spacing_zyx: tuple[float, float, float],
    params: DRRParams,
    *,
    pixel_mm: float = 1.0,
) -> np.ndarray:
    """Project a CT volume into the clean ``-log`` radiograph ``p = sum(mu dy)``.

    Parameters
    ----------
    hu_zyx : ndarray
        CT volume in HU, shape (slices, rows, cols) = (z, y, x), y anterior-posterior.
    spacing_zyx : tuple of float
        Voxel size in mm along (z, y, x).
    params : DRRParams
        View, bone weighting and crop.
    pixel_mm : float, optional
        Detector pixel size of the output in mm (isotropic).

    Returns
    -------
    ndarray
        float32 line integrals, shape (rows, cols) = (z, lateral), dimensionless.
    """
    sz, sy, sx = spacing_zyx
    # Resample in-plane to the detector pitch first: rotation and sum are then cheap.
    vol = ndimage.zoom(
        np.asarray(hu_zyx, dtype=np.float32), (1.0, sy / pixel_mm, sx / pixel_mm), order=1
    )
    mu = attenuation(vol, bone_weight=params.bone_weight)
    if params.angle_deg % 360 != 0:
        mu = ndimage.rotate(mu, params.angle_deg, axes=(1, 2), reshape=False, order=1, cval=0.0)
    p = mu.sum(axis=1) * pixel_mm  # (z, x)
    p = ndimage.zoom(p, (sz / pixel_mm, 1.0), order=1)
    top, bottom, left, right = params.crop
    r, c = p.shape
    p = p[int(top * r) : r - int(bottom * r), int(left * c) : c - int(right * c)]
    # Radiographs are viewed head up: the z axis of a CT volume runs feet -> head.
    return np.ascontiguousarray(np.flipud(p)).astype(np.float32)


def noisy_line_integrals(
    p: np.ndarray, *, i0: float, read_sigma: float, rng: np.random.Generator
) -> np.ndarray:
    """Simulate the detector: Poisson quanta on ``I0 exp(-p)``, Gaussian read-out, ``-log``.

    Parameters
    ----------
    p : ndarray
        Clean line integrals (``-log`` domain).
    i0 : float
        Unattenuated photons per pixel.
    read_sigma : float
        Read-out noise standard deviation in photons.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray
        float32 noisy line integrals; counts are floored at 0.5 photon before the log.
    """
    counts = rng.poisson(i0 * np.exp(-np.asarray(p, dtype=np.float64))).astype(np.float64)
    counts += rng.normal(0.0, read_sigma, size=counts.shape)
    return (-np.log(np.maximum(counts, 0.5) / i0)).astype(np.float32)
