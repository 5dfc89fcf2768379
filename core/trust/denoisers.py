"""Denoisers as callables ``f(noisy01) -> denoised01``, so trust tests take any method.

A classical baseline (:func:`baseline_denoiser`) and the stand-in models of the
tests are plain callables. A network (:func:`model_denoiser`) is a
:class:`ModelDenoiser`: the trust tests also hand it the clean image they
used (:func:`apply_denoiser`), so a network with a noise-level input gets the
noise model's σ map for that image, as the viewer and the CLI give it
(:func:`denoscope.core.noise.sigma_map.noise_sigma_map`; the estimate
``estimate_sigma_map`` on real input), times the strength.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: ``f(noisy01) -> denoised01``: float32 (rows, cols) in [0, 1] in and out.
Denoiser = Callable[[np.ndarray], np.ndarray]


class ModelDenoiser:
    """A network run through :func:`denoscope.core.inference.denoise`, as the product runs it.

    Parameters
    ----------
    model : nn.Module or LoadedModel
        The network.
    device : str, optional
        ``"cpu"``, ``"cuda"`` or ``"auto"``.
    should_stop : callable, optional
        Cooperative cancellation, checked by ``denoise`` between tiles.
    noise : str, optional
        Noise model of the synthetic noise (None: real input, σ estimated).
    level : float, optional
        Its level.
    pixel_size_mm : float, optional
        For noise models whose physics depends on it.
    strength : float, optional
        Multiplies the noise-level map (networks with a noise-level input only).
    """

    takes_clean = True

    def __init__(
        self,
        model: Any,
        *,
        device: str = "cpu",
        should_stop: Callable[[], bool] | None = None,
        noise: str | None = None,
        level: float | None = None,
        pixel_size_mm: float | None = None,
        strength: float = 1.0,
    ) -> None:
        self.module = getattr(model, "module", model)
        self.device, self.should_stop = device, should_stop
        self.noise, self.level, self.pixel_size_mm = noise, level, pixel_size_mm
        self.strength = float(strength)

    def noise_level(self, noisy01: np.ndarray, clean01: np.ndarray | None) -> np.ndarray | None:
        """The σ map given to a network with a noise-level input (None for blind networks)."""
        from denoscope.core.noise.sigma_map import network_noise_map

        return network_noise_map(
            self.module,
            noisy01,
            noise=self.noise,
            level=self.level,
            clean01=clean01,
            strength=self.strength,
            pixel_size_mm=self.pixel_size_mm,
        )

    def __call__(self, noisy01: np.ndarray, clean01: np.ndarray | None = None) -> np.ndarray:
        """Denoise ``noisy01``; ``clean01`` (when known) sets the noise-level map."""
        from denoscope.core.inference import denoise

        level = self.noise_level(noisy01, clean01)
        kwargs = {} if level is None else {"noise_level": level}
        out = denoise(
            noisy01, self.module, device=self.device, should_stop=self.should_stop, **kwargs
        )
        return np.asarray(out.image, np.float32)


def model_denoiser(
    model: Any,
    *,
    device: str = "cpu",
    should_stop: Callable[[], bool] | None = None,
    noise: str | None = None,
    level: float | None = None,
    pixel_size_mm: float | None = None,
    strength: float = 1.0,
) -> ModelDenoiser:
    """Wrap a network (module or :class:`~denoscope.core.checkpoint.LoadedModel`) for the trust tests.

    Parameters
    ----------
    model : nn.Module or LoadedModel
        The network; run through :func:`denoscope.core.inference.denoise`.
    device : str, optional
        ``"cpu"``, ``"cuda"`` or ``"auto"``.
    should_stop : callable, optional
        Cooperative cancellation, checked by ``denoise`` between tiles.
    noise, level : str, float, optional
        The synthetic noise (its σ map is the network's noise-level input);
        None on real input.
    pixel_size_mm : float, optional
        For noise models whose physics depends on it.
    strength : float, optional
        Multiplies the noise-level map.

    Returns
    -------
    ModelDenoiser
    """
    return ModelDenoiser(
        model,
        device=device,
        should_stop=should_stop,
        noise=noise,
        level=level,
        pixel_size_mm=pixel_size_mm,
        strength=strength,
    )


def apply_denoiser(
    denoiser: Denoiser, noisy01: np.ndarray, clean01: np.ndarray | None = None
) -> np.ndarray:
    """Run ``denoiser`` on ``noisy01``, handing ``clean01`` to those that take it; float32."""
    if getattr(denoiser, "takes_clean", False):
        return np.asarray(denoiser(noisy01, clean01), np.float32)
    return np.asarray(denoiser(noisy01), np.float32)


def baseline_denoiser(name: str, sigma01: float) -> Denoiser:
    """Wrap a classical baseline (:data:`denoscope.core.baselines.BASELINES`) as a Denoiser.

    Parameters
    ----------
    name : str
        Baseline key (``"bm3d"``, ``"nlmeans"``...).
    sigma01 : float
        Gaussian-equivalent noise σ in [0, 1] units given to the filter.

    Returns
    -------
    Denoiser

    Raises
    ------
    ParameterError
        If the baseline is unknown or not installed.
    """
    from denoscope.core.baselines import BASELINES
    from denoscope.core.errors import ParameterError

    baseline = BASELINES.get(name)
    if baseline is None:
        raise ParameterError(
            f"unknown or unavailable baseline {name!r}",
            expected=", ".join(BASELINES),
            fix="BM3D needs `pip install 'denoscope[bench]'`" if name == "bm3d" else None,
        )
    level = float(min(max(sigma01, 0.0), 1.0))

    def run(noisy01: np.ndarray) -> np.ndarray:
        return np.asarray(baseline.apply(noisy01, level=level), np.float32)

    return run
