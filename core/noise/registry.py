"""The registry of noise simulators that the viewer and the CLI build their controls from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from denoscope.core.errors import ParameterError
from denoscope.core.noise.gaussian import (
    GAUSSIAN_RANGE,
    REPORT1_EFFECTIVE_SIGMA,
    gaussian_noise,
    gaussian_report1,
)
from denoscope.core.noise.lowdose_ct import LOWDOSE_RANGE, lowdose_ct_noise
from denoscope.core.noise.poisson import POISSON_RANGE, poisson_noise
from denoscope.core.noise.rician import RICIAN_RANGE, rician_noise
from denoscope.core.noise.xray import XRAY_RANGE, xray_noise

NoiseFunction = Callable[..., NDArray[np.float32]]

MODALITIES = ("mri", "ct", "xray")


@dataclass(frozen=True)
class NoiseModel:
    """One noise simulator and how to present its level.

    Attributes
    ----------
    name : str
        Registry key (``"gaussian"``, ``"poisson"``...).
    label : str
        Short human-readable name for menus.
    unit : str
        Unit of ``level``.
    description : str
        One or two sentences for tooltips and ``--help``.
    min_level, max_level : float
        Accepted range of ``level`` (equal for a fixed preset).
    defaults : mapping of str to float
        Default level per modality (``"mri"``, ``"ct"``, ``"xray"``).
    higher_is_noisier : bool
        False for photon counts and dose, where a lower level is noisier.
    log_scale : bool
        Whether a slider should move on a logarithmic scale.
    function : callable
        ``function(image01, level, *, rng) -> float32 image in [0, 1]``.
    uses_pixel_size : bool
        Whether the physics depends on the pixel size (``pixel_size_mm``).
    modalities : frozenset of str or None
        The modalities whose acquisition this noise models (``None``: any, a
        generic model). Low-dose CT noise, for example, needs a CT slice in HU
        and draws a circular reconstruction field of view.
    """

    name: str
    label: str
    unit: str
    description: str
    min_level: float
    max_level: float
    defaults: Mapping[str, float]
    higher_is_noisier: bool
    log_scale: bool
    function: NoiseFunction = field(repr=False)
    uses_pixel_size: bool = False
    modalities: frozenset[str] | None = None

    def fits(self, modality: str) -> bool:
        """Whether this noise models ``modality``'s acquisition (generic models fit all)."""
        return self.modalities is None or modality in self.modalities

    @property
    def is_fixed(self) -> bool:
        """True for a preset whose level cannot change."""
        return self.min_level == self.max_level

    def default_level(self, modality: str) -> float:
        """Default level for ``modality`` (the CT default for ``"unknown"``/others)."""
        return float(self.defaults.get(modality, self.defaults["ct"]))

    def apply(
        self,
        image01: ArrayLike,
        level: float,
        *,
        rng: int | np.random.Generator | None = None,
        pixel_size_mm: float | None = None,
    ) -> NDArray[np.float32]:
        """Add this noise to a (rows, cols) [0, 1] image; returns float32 in [0, 1].

        Parameters
        ----------
        image01 : array_like, shape (rows, cols)
            Image in [0, 1].
        level : float
            In :attr:`unit`, within [:attr:`min_level`, :attr:`max_level`].
        rng : int or numpy.random.Generator, optional
            Seed or generator.
        pixel_size_mm : float, optional
            Pixel size in mm, used by models with :attr:`uses_pixel_size`
            (low-dose CT); ignored by the others. None keeps the model's default.

        Returns
        -------
        ndarray of float32, shape (rows, cols)
        """
        if self.uses_pixel_size and pixel_size_mm is not None:
            if not (np.isfinite(pixel_size_mm) and pixel_size_mm > 0):
                raise ParameterError(
                    "pixel size must be positive", got=f"{pixel_size_mm} mm", expected="> 0 mm"
                )
            return self.function(image01, level, rng=rng, pixel_size_mm=float(pixel_size_mm))
        return self.function(image01, level, rng=rng)


def _same(value: float) -> dict[str, float]:
    return dict.fromkeys(MODALITIES, value)


_MODELS = (
    NoiseModel(
        name="gaussian",
        label="Gaussian",
        unit="σ ([0, 1] units)",
        description="Additive white Gaussian noise of standard deviation σ, clipped to [0, 1].",
        min_level=GAUSSIAN_RANGE[0],
        max_level=GAUSSIAN_RANGE[1],
        defaults=_same(0.1),
        higher_is_noisier=True,
        log_scale=False,
        function=gaussian_noise,
    ),
    NoiseModel(
        name="gaussian-report1",
        label="Gaussian (first report)",
        unit="σ ([0, 1] units, fixed)",
        description=(
            "The first report's protocol clip(x + 0.3·N(0, 1.5), 0, 1): Gaussian noise of "
            "standard deviation 0.45, clipped. The level is fixed."
        ),
        min_level=REPORT1_EFFECTIVE_SIGMA,
        max_level=REPORT1_EFFECTIVE_SIGMA,
        defaults=_same(REPORT1_EFFECTIVE_SIGMA),
        higher_is_noisier=True,
        log_scale=False,
        function=gaussian_report1,
    ),
    NoiseModel(
        name="poisson",
        label="Poisson",
        unit="photons at full scale",
        description="Photon-counting noise: Poisson(level·x)/level; fewer photons is noisier.",
        min_level=POISSON_RANGE[0],
        max_level=POISSON_RANGE[1],
        defaults=_same(100.0),
        higher_is_noisier=False,
        log_scale=True,
        function=poisson_noise,
        modalities=frozenset({"ct", "xray"}),
    ),
    NoiseModel(
        name="rician",
        label="Rician (MRI magnitude)",
        unit="σ (fraction of max)",
        description="Complex Gaussian noise on the image, then the magnitude, as in MR images.",
        min_level=RICIAN_RANGE[0],
        max_level=RICIAN_RANGE[1],
        defaults=_same(0.05),
        higher_is_noisier=True,
        log_scale=False,
        function=rician_noise,
        modalities=frozenset({"mri"}),
    ),
    NoiseModel(
        name="lowdose-ct",
        label="Low-dose CT",
        unit="dose fraction",
        description=(
            "Poisson noise on the sinogram at a fraction of the full-dose photon count, "
            "then filtered back-projection to HU (expects the fixed CT HU window)."
        ),
        min_level=LOWDOSE_RANGE[0],
        max_level=LOWDOSE_RANGE[1],
        # 10 % dose: the shipped CT model improves the bundled 128² CT at this dose
        # (at 25 % its ~12 HU noise is below what the model removes well).
        defaults={"mri": 0.25, "ct": 0.1, "xray": 0.25},
        higher_is_noisier=False,
        log_scale=True,
        function=lowdose_ct_noise,
        uses_pixel_size=True,
        modalities=frozenset({"ct"}),
    ),
    NoiseModel(
        name="xray",
        label="X-ray quantum + detector",
        unit="photons per pixel (I0)",
        description=(
            "Poisson noise on the transmitted intensity I0·exp(−line integral) plus Gaussian "
            "electronic noise, then −log; fewer photons is noisier."
        ),
        min_level=XRAY_RANGE[0],
        max_level=XRAY_RANGE[1],
        defaults=_same(1000.0),
        higher_is_noisier=False,
        log_scale=True,
        function=xray_noise,
        modalities=frozenset({"xray"}),
    ),
)

#: Noise simulators by name (read-only).
NOISE_MODELS: Mapping[str, NoiseModel] = MappingProxyType({m.name: m for m in _MODELS})


def get_noise_model(name: str) -> NoiseModel:
    """Return the registered model ``name`` or raise :class:`ParameterError`."""
    try:
        return NOISE_MODELS[name]
    except KeyError:
        raise ParameterError(
            "unknown noise model",
            got=repr(name),
            expected=", ".join(NOISE_MODELS),
        ) from None


def add_noise(
    image01: ArrayLike,
    name: str,
    level: float,
    *,
    rng: int | np.random.Generator | None = None,
    pixel_size_mm: float | None = None,
) -> NDArray[np.float32]:
    """Add the registered noise ``name`` at ``level`` to a (rows, cols) [0, 1] image.

    Parameters
    ----------
    image01 : array_like, shape (rows, cols)
        Image in [0, 1].
    name : str
        A key of :data:`NOISE_MODELS`.
    level : float
        In the model's unit and range (see ``NOISE_MODELS[name]``).
    rng : int or numpy.random.Generator, optional
        Seed or generator; the same seed gives the same noise.
    pixel_size_mm : float, optional
        Pixel size in mm for models whose physics needs it (low-dose CT).

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        The noisy image in [0, 1].
    """
    return get_noise_model(name).apply(image01, level, rng=rng, pixel_size_mm=pixel_size_mm)
