"""Uncertainty: how much the model's output moves when only the noise (or the view) changes.

Two estimators, both returning the per-pixel standard deviation of the output:

- :func:`redraw_uncertainty` (truth known): the clean image gets ``K``
  independent synthetic noise realisations of the chosen noise model; each is
  denoised; the map is the standard deviation over the ``K`` outputs (ddof 1).
- :func:`tta_uncertainty` (real input): the noisy image is denoised in the 8
  flips and 90° rotations of the square (test-time augmentation), each output
  mapped back; the map is the standard deviation over the 8 (ddof 1).

Both cost one inference per draw (``K`` or 8) and report progress after each.
The map is in [0, 1] units, or modality units with ``scale`` (the
normalisation's span).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from denoscope.core.errors import ParameterError
from denoscope.core.trust.denoisers import Denoiser, apply_denoiser

#: Default number of noise re-draws.
DEFAULT_REDRAWS = 8


@dataclass(frozen=True)
class UncertaintyResult:
    """Per-pixel standard deviation of the output and how it was obtained.

    Attributes
    ----------
    std : ndarray of float32, shape (rows, cols)
        Standard deviation over the draws, in ``unit``.
    mean : ndarray of float32, shape (rows, cols)
        Mean output over the draws, [0, 1].
    kind : {"redraw", "tta"}
        Noise re-draws or test-time augmentation.
    draws : int
        K (re-draws) or 8 (TTA).
    seconds : float
        Wall-clock time of the whole estimate.
    unit : str
        Unit of ``std``.
    """

    std: NDArray[np.float32]
    mean: NDArray[np.float32]
    kind: str
    draws: int
    seconds: float
    unit: str


def _check_stop(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        from denoscope.core.inference import Cancelled

        raise Cancelled("the uncertainty estimate was cancelled")


def _result(outputs, kind, start, scale, unit) -> UncertaintyResult:
    stack = np.stack(outputs).astype(np.float32)
    std = stack.std(axis=0, ddof=1) * np.float32(scale)
    return UncertaintyResult(
        std=std.astype(np.float32),
        mean=stack.mean(axis=0).astype(np.float32),
        kind=kind,
        draws=len(outputs),
        seconds=time.perf_counter() - start,
        unit=unit,
    )


def redraw_uncertainty(
    clean01: ArrayLike,
    denoiser: Denoiser,
    *,
    noise: str,
    level: float,
    draws: int = DEFAULT_REDRAWS,
    rng: int | np.random.Generator | None = 0,
    pixel_size_mm: float | None = None,
    scale: float = 1.0,
    unit: str = "[0, 1] units",
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    apply_noise: Callable[[np.ndarray, int], np.ndarray] | None = None,
) -> UncertaintyResult:
    """Standard deviation of the output over ``draws`` synthetic noise realisations.

    Parameters
    ----------
    clean01 : array_like, shape (rows, cols)
        The truth in [0, 1].
    denoiser : Denoiser
        ``f(noisy01) -> denoised01``.
    noise : str
        Noise model key.
    level : float
        Noise level in that model's unit.
    draws : int, optional
        K, at least 2.
    rng : int or Generator, optional
        Seed of the re-draws.
    pixel_size_mm : float, optional
        For noise models whose physics depends on it.
    scale, unit : float, str, optional
        Modality units per [0, 1] unit and their name.
    progress, should_stop : callable, optional
        ``progress(done, total)`` after each draw; cancellation between draws.
    apply_noise : callable, optional
        ``apply_noise(clean01, k) -> noisy01`` replacing the registry's noise for draw ``k``.

    Returns
    -------
    UncertaintyResult
    """
    from denoscope.core.noise import add_noise

    if int(draws) < 2:
        raise ParameterError("the uncertainty needs at least 2 re-draws", got=str(draws))
    start = time.perf_counter()
    clean = np.asarray(clean01, dtype=np.float32)
    generator = np.random.default_rng(rng)
    outputs = []
    for k in range(int(draws)):
        _check_stop(should_stop)
        if apply_noise is not None:
            noisy = apply_noise(clean, 1000 + k)
        else:
            noisy = add_noise(clean, noise, level, rng=generator, pixel_size_mm=pixel_size_mm)
        outputs.append(apply_denoiser(denoiser, np.asarray(noisy, np.float32), clean))
        if progress is not None:
            progress(k + 1, int(draws))
    return _result(outputs, "redraw", start, scale, unit)


def _transforms() -> list[
    tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]
]:
    pairs = []
    for k in range(4):
        for flip in (False, True):

            def forward(a, k=k, flip=flip):
                b = np.rot90(a, k)
                return np.ascontiguousarray(b[:, ::-1] if flip else b)

            def backward(a, k=k, flip=flip):
                b = a[:, ::-1] if flip else a
                return np.ascontiguousarray(np.rot90(b, -k))

            pairs.append((forward, backward))
    return pairs


def tta_uncertainty(
    noisy01: ArrayLike,
    denoiser: Denoiser,
    *,
    scale: float = 1.0,
    unit: str = "[0, 1] units",
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> UncertaintyResult:
    """Standard deviation of the output over the 8 flips and rotations of the input.

    Parameters
    ----------
    noisy01 : array_like, shape (rows, cols)
        The (real) noisy image in [0, 1].
    denoiser : Denoiser
        ``f(noisy01) -> denoised01``.
    scale, unit : float, str, optional
        Modality units per [0, 1] unit and their name.
    progress, should_stop : callable, optional
        ``progress(done, 8)`` after each inference; cancellation between them.

    Returns
    -------
    UncertaintyResult
        ``mean`` is the TTA-averaged output.
    """
    start = time.perf_counter()
    noisy = np.asarray(noisy01, dtype=np.float32)
    outputs = []
    pairs = _transforms()
    for index, (forward, backward) in enumerate(pairs):
        _check_stop(should_stop)
        out = apply_denoiser(denoiser, forward(noisy))
        outputs.append(backward(out))
        if progress is not None:
            progress(index + 1, len(pairs))
    return _result(outputs, "tta", start, scale, unit)
