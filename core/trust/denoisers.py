"""Denoisers as plain callables ``f(noisy01) -> denoised01``, so trust tests take any method.

A network (:func:`model_denoiser`), a classical baseline (:func:`baseline_denoiser`)
and the stand-in models of the tests all have this one shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: ``f(noisy01) -> denoised01``: float32 (rows, cols) in [0, 1] in and out.
Denoiser = Callable[[np.ndarray], np.ndarray]


def model_denoiser(
    model: Any,
    *,
    device: str = "cpu",
    should_stop: Callable[[], bool] | None = None,
) -> Denoiser:
    """Wrap a network (module or :class:`~denoscope.core.checkpoint.LoadedModel`) as a Denoiser.

    Parameters
    ----------
    model : nn.Module or LoadedModel
        The network; run through :func:`denoscope.core.inference.denoise`.
    device : str, optional
        ``"cpu"``, ``"cuda"`` or ``"auto"``.
    should_stop : callable, optional
        Cooperative cancellation, checked by ``denoise`` between tiles.

    Returns
    -------
    Denoiser
    """
    from denoscope.core.inference import denoise

    module = getattr(model, "module", model)

    def run(noisy01: np.ndarray) -> np.ndarray:
        out = denoise(noisy01, module, device=device, should_stop=should_stop)
        return np.asarray(out.image, np.float32)

    return run


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
