"""Denoise images and series with a network, on the CPU or CUDA, tile by tile.

:func:`denoise` is a plain function for worker threads: it reports progress,
checks a stop flag between tiles and between slices, and never touches a GUI.

Pipeline for each slice (rows, cols) in [0, 1]:

1. reflect-pad to the network's stride multiple (for a fixed-size network such
   as ``dense-cae``: to at least its patch size);
2. if the padded slice fits in ``tile`` x ``tile``, run it whole; otherwise cut
   it into tiles planned up front (:mod:`denoscope.core.tiling`): each tile
   carries a halo of about half the receptive field on sides facing a
   neighbour, weighted 0, and neighbours blend over ``overlap`` pixels with
   cosine ramps, so the result equals the untiled one to float rounding;
   fixed-size networks run on patches overlapping by half a patch, batched;
3. accumulate weighted tile outputs into one preallocated array, normalise,
   crop the padding.

Memory: besides the input and the (n, rows, cols) float32 output, peak
memory is bounded by the tile size, not the image size: one padded copy and
one accumulator of the current slice (at most 2 x 4 bytes per pixel of one
slice) plus the network's activations for one ``tile`` x ``tile`` tile, about
``4 bytes x tile^2 x C`` with C the live channels per full-resolution pixel
(res-cae: C ~ 40, ~40 MB at tile 512; cae and dncnn: C ~ 200, ~200 MB).
Measured for res-cae at tile 512 on the CPU (RSS rise, first call included):
75 MB for 512^2, 85 MB for 2048^2 (36 tiles), 155 MB for 4096^2 (144 tiles,
of which 128 MB are the 64 MB output and the 64 MB accumulator).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from denoscope.core.devices import configure_cpu_threads, resolve_device
from denoscope.core.errors import Cancelled, ParameterError
from denoscope.core.tiling import AxisTiling, axis_tiling, pad_amounts, reflect_pad

if TYPE_CHECKING:
    import torch

__all__ = [
    "CHANGE_LIMIT",
    "Cancelled",
    "DenoiseResult",
    "denoise",
    "limit_change",
    "resolve_device",
    "tile_plan",
]

#: Smallest tile tried after CUDA out-of-memory halvings before falling back to the CPU.
MIN_TILE = 64

#: Largest number of fixed-size patches run in one batch.
MAX_PATCH_BATCH = 1024

#: A network given a noise-level map may change a pixel by at most this many times the
#: level it was given there (see :func:`limit_change`).
CHANGE_LIMIT = 3.0


@dataclass(frozen=True)
class DenoiseResult:
    """What :func:`denoise` returns.

    Attributes
    ----------
    image : np.ndarray
        float32 in [0, 1], the shape of the input.
    seconds : float
        Wall-clock time of the whole call.
    device : str
        The device that ran the network (``"cpu"``, ``"cuda:0"``).
    tiles : int
        Network calls made (tiles or patch batches), over all slices.
    note : str or None
        What differed from the request (CUDA missing or out of memory, tile
        reduced), else None.
    """

    image: np.ndarray
    seconds: float
    device: str
    tiles: int
    note: str | None = None


@dataclass(frozen=True)
class _Geometry:
    pads: tuple[tuple[int, int], tuple[int, int]]
    rows: AxisTiling
    cols: AxisTiling
    batch: int

    @property
    def positions(self) -> list[tuple[int, int, int, int]]:
        return [
            (r, c, i, j)
            for i, r in enumerate(self.rows.starts)
            for j, c in enumerate(self.cols.starts)
        ]

    @property
    def calls(self) -> int:
        return math.ceil(len(self.rows.starts) * len(self.cols.starts) / self.batch)


def _halo(module: Any) -> int:
    stride = int(getattr(module, "stride_multiple", 1))
    half = math.ceil(int(getattr(module, "receptive_field", 1)) / 2)
    return -(-half // stride) * stride


def _smallest_tile(module: Any, overlap: int) -> int:
    """Smallest tile that holds two halos, a blend and one stride step."""
    if getattr(module, "fixed_size", None):
        return int(module.fixed_size)
    stride = int(getattr(module, "stride_multiple", 1))
    return 2 * _halo(module) + overlap + stride


def tile_plan(
    shape: tuple[int, int], module: Any, *, tile: int = 512, overlap: int = 32
) -> _Geometry:
    """Plan padding and tiles for one slice of ``shape`` (rows, cols).

    Parameters
    ----------
    shape : tuple of int
        (rows, cols) of the slice.
    module : Denoiser
        The network (its ``stride_multiple``, ``fixed_size``, ``receptive_field``).
    tile : int
        Largest tile side in pixels.
    overlap : int
        Blend width between tiles, in pixels (fixed-size networks use half a patch).

    Returns
    -------
    geometry
        Padding, row and column tilings, and patches per batch.
    """
    fixed = getattr(module, "fixed_size", None)
    stride = int(getattr(module, "stride_multiple", 1))
    if fixed:
        pads = (pad_amounts(shape[0], 1, fixed), pad_amounts(shape[1], 1, fixed))
        size = (shape[0] + sum(pads[0]), shape[1] + sum(pads[1]))
        half = max(1, fixed // 2)
        rows = axis_tiling(size[0], tile=fixed, margin=0, overlap=fixed - half, stride=1)
        cols = axis_tiling(size[1], tile=fixed, margin=0, overlap=fixed - half, stride=1)
        batch = int(np.clip(tile * tile // (fixed * fixed), 1, MAX_PATCH_BATCH))
        return _Geometry(pads, rows, cols, batch)
    pads = (pad_amounts(shape[0], stride), pad_amounts(shape[1], stride))
    size = (shape[0] + sum(pads[0]), shape[1] + sum(pads[1]))
    margin = _halo(module)
    rows = axis_tiling(size[0], tile=tile, margin=margin, overlap=overlap, stride=stride)
    cols = axis_tiling(size[1], tile=tile, margin=margin, overlap=overlap, stride=stride)
    return _Geometry(pads, rows, cols, 1)


def slice_sigma_map(
    image: np.ndarray, noise_level: float | np.ndarray | None, strength: float
) -> np.ndarray:
    """The noise-level map given to a network for one (rows, cols) slice.

    ``noise_level`` as a map (same shape) or a scalar sigma ([0, 1] units) is
    used as given; None estimates the map from the slice
    (:func:`denoscope.core.noise.sigma_map.estimate_sigma_map`). The result is
    multiplied by ``strength``.
    """
    if noise_level is None:
        from denoscope.core.noise.sigma_map import estimate_sigma_map

        sigma = estimate_sigma_map(image)
    else:
        sigma = np.broadcast_to(np.asarray(noise_level, dtype=np.float32), image.shape)
    return np.ascontiguousarray(sigma * np.float32(strength), dtype=np.float32)


def limit_change(
    noisy: np.ndarray, denoised: np.ndarray, sigma: np.ndarray, limit: float
) -> np.ndarray:
    """Clip what a network removed to ``limit`` times the noise level it was given.

    ``noisy - denoised`` is the part of the image the network took for noise.
    Noise of level ``sigma`` exceeds ``3 sigma`` at 0.27 % of the pixels, so
    clipping the removed part to ``[-limit sigma, +limit sigma]`` (``limit`` 3)
    costs almost nothing where the network is right, and bounds what it can
    erase or invent where it is wrong: on images whose own fine grain it
    mistakes for noise (the "no harm at low noise" bar of issue 11, where
    the network otherwise made some held-out images worse than their input).

    Parameters
    ----------
    noisy, denoised, sigma : ndarray
        The network's input, its output and the noise-level map it was given
        (after strength), all of one shape.
    limit : float
        Largest change per pixel, in units of ``sigma``.

    Returns
    -------
    ndarray of float32
        ``noisy - clip(noisy - denoised, -limit sigma, limit sigma)``.
    """
    bound = sigma * np.float32(limit)
    removed = np.clip(noisy - denoised, -bound, bound)
    return (noisy - removed).astype(np.float32, copy=False)


def _run_slice(
    image: np.ndarray,
    module: Any,
    device: torch.device,
    geometry: _Geometry,
    noise_level: float | np.ndarray | None,
    tick: Callable[[], None],
    strength: float = 1.0,
    change_limit: float | None = CHANGE_LIMIT,
) -> np.ndarray:
    import torch

    padded = reflect_pad(image, geometry.pads)
    rows, cols = geometry.rows, geometry.cols
    uses_level = bool(getattr(module, "noise_level_input", False))
    sigma = slice_sigma_map(image, noise_level, strength) if uses_level else None
    sigma_padded = reflect_pad(sigma, geometry.pads) if sigma is not None else None
    single = len(rows.starts) == 1 and len(cols.starts) == 1
    accumulator = None if single else np.zeros(padded.shape, dtype=np.float32)
    positions = geometry.positions
    result = None
    for first in range(0, len(positions), geometry.batch):
        tick()
        chunk = positions[first : first + geometry.batch]
        tiles = np.stack([padded[r : r + rows.length, c : c + cols.length] for r, c, _, _ in chunk])
        x = torch.from_numpy(tiles)[:, None].to(device)
        if sigma_padded is not None:
            sigma_tiles = np.stack(
                [sigma_padded[r : r + rows.length, c : c + cols.length] for r, c, _, _ in chunk]
            )
            y = module(x, noise_level=torch.from_numpy(sigma_tiles)[:, None].to(device))
        else:
            y = module(x)
        y = y[:, 0].float().cpu().numpy()
        if single:
            result = y[0]
            break
        for k, (r, c, i, j) in enumerate(chunk):
            weight = np.outer(rows.weights[i], cols.weights[j])
            accumulator[r : r + rows.length, c : c + cols.length] += y[k] * weight
    if not single:
        accumulator /= rows.weight_sum[:, None]
        accumulator /= cols.weight_sum[None, :]
        result = accumulator
    (top, _), (left, _) = geometry.pads
    result = result[top : top + image.shape[0], left : left + image.shape[1]]
    if sigma is not None and change_limit is not None:
        result = limit_change(image, result, sigma, change_limit)
    return result


def denoise(
    image: np.ndarray,
    model: Any,
    *,
    device: str = "auto",
    tile: int = 512,
    overlap: int = 32,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    noise_level: float | np.ndarray | None = None,
    strength: float = 1.0,
    change_limit: float | None = CHANGE_LIMIT,
) -> DenoiseResult:
    """Denoise a 2D image or a series of slices with a network.

    Parameters
    ----------
    image : np.ndarray
        float32 in [0, 1], shape (rows, cols) or (n, rows, cols). Any size:
        slices are reflect-padded to the network's stride and cropped back.
    model : Denoiser or LoadedModel
        The network (``nn.Module`` mapping (N, 1, H, W) to (N, 1, H, W)), or a
        :class:`~denoscope.core.checkpoint.LoadedModel`. It is put in eval mode
        and moved to the device in place (on the CPU, also to channels-last
        memory format; :func:`~denoscope.core.checkpoint.save_model` still
        saves it, as it makes tensors contiguous).
    device : {"auto", "cpu", "cuda"}
        ``"auto"`` uses CUDA when ``torch.cuda.is_available()``. Asking for
        CUDA where there is none runs on the CPU, with a note in the result.
    tile : int
        Largest tile side in pixels; bigger padded slices are tiled. On CUDA
        out-of-memory the tile is halved and the slice retried, down to
        :data:`MIN_TILE`, then the CPU takes over (noted in the result).
    overlap : int
        Blend width between neighbouring tiles, in pixels, on top of a halo of
        half the network's receptive field (fixed-size networks such as
        ``dense-cae`` ignore it and overlap patches by half a patch).
    progress : callable, optional
        ``progress(done, total)`` after each network call.
    should_stop : callable, optional
        Checked before each tile (and so between slices); when it returns True,
        :class:`Cancelled` is raised.
    noise_level : float or np.ndarray, optional
        For networks with a noise-level input: the noise sigma in [0, 1]
        units, a scalar or a per-pixel map of the image's shape
        (:func:`denoscope.core.noise.sigma_map.noise_sigma_map` for synthetic
        noise). Estimated per slice when omitted
        (:func:`~denoscope.core.noise.sigma_map.estimate_sigma_map`). Ignored
        by blind networks.
    strength : float
        Multiplies the noise level given to a network with a noise-level
        input: below 1 keeps more texture (and residual noise), above 1
        smooths more. Ignored by blind networks.
    change_limit : float or None
        For networks with a noise-level input: the largest change per pixel,
        in units of the level given there (:func:`limit_change`; default
        :data:`CHANGE_LIMIT`). None returns the network's output as it is.

    Returns
    -------
    DenoiseResult
        The denoised image (same shape, float32, [0, 1]), timing, device,
        number of network calls and a note.

    Raises
    ------
    ParameterError
        If the image is not 2D/3D, is empty, has values outside [0, 1] (or
        non-finite ones), or the tile is too small.
    Cancelled
        If ``should_stop()`` returned True.

    Notes
    -----
    Peak memory beyond input and output is bounded by the tile size (see the
    module docstring): one padded copy and one accumulator of a slice plus
    one tile's activations.
    """
    import torch

    start = time.perf_counter()
    array = np.asarray(image, dtype=np.float32)
    if array.ndim not in (2, 3) or array.size == 0:
        raise ParameterError(
            "cannot denoise this array",
            got=f"shape {array.shape}",
            expected="a non-empty (rows, cols) image or (n, rows, cols) series",
        )
    low, high = float(array.min()), float(array.max())
    if not (np.isfinite(low) and np.isfinite(high)) or low < -1e-3 or high > 1 + 1e-3:
        raise ParameterError(
            "the image is not in [0, 1]",
            got=f"values in [{low:g}, {high:g}]",
            expected="finite float values in [0, 1]",
            fix="map modality units with denoscope.core.intensity.normalization_for(...).to_unit",
        )
    if not (np.isfinite(strength) and 0.0 <= strength <= 4.0):
        raise ParameterError("strength out of range", got=f"{strength!r}", expected="0 to 4")
    if change_limit is not None and not (np.isfinite(change_limit) and change_limit > 0):
        raise ParameterError(
            "change limit out of range", got=f"{change_limit!r}", expected="a number > 0 or None"
        )
    if isinstance(noise_level, np.ndarray) and noise_level.ndim > 0:
        if noise_level.shape not in (array.shape, array.shape[-2:]):
            raise ParameterError(
                "the noise level map does not match the image",
                got=f"map {noise_level.shape}, image {array.shape}",
                expected="the image's (rows, cols) or (n, rows, cols) shape",
            )
    if tile < 8 or overlap < 1:
        raise ParameterError(
            "tile and overlap are too small",
            got=f"tile {tile}, overlap {overlap}",
            expected="tile >= 8 and overlap >= 1",
        )
    module = getattr(model, "module", model)
    requested_tile = tile
    configure_cpu_threads()
    dev, note = resolve_device(device)
    notes = [note] if note else []
    stack = array[None] if array.ndim == 2 else array
    output = np.empty_like(stack)
    geometry = tile_plan(stack.shape[1:], module, tile=tile, overlap=overlap)
    done = 0
    total = geometry.calls * len(stack)
    fell_back = False

    def tick() -> None:
        nonlocal done
        if should_stop is not None and should_stop():
            raise Cancelled("denoising was cancelled")
        if progress is not None and done:
            progress(done, total)
        done += 1

    module.eval()
    module.to(dev)
    if dev.type == "cpu":  # oneDNN convolutions run ~20% faster on NHWC weights
        module.to(memory_format=torch.channels_last)
    with torch.inference_mode():
        index = 0
        while index < len(stack):
            done_before = done
            try:
                level = noise_level
                if isinstance(level, np.ndarray) and level.ndim == 3:
                    level = level[index]
                output[index] = _run_slice(
                    stack[index], module, dev, geometry, level, tick, strength, change_limit
                )
            except torch.cuda.OutOfMemoryError:
                if fell_back:
                    raise
                torch.cuda.empty_cache()
                done = done_before
                if tile // 2 >= max(MIN_TILE, _smallest_tile(module, overlap)):
                    tile //= 2
                    notes.append(f"CUDA ran out of memory; tile reduced to {tile}")
                else:
                    tile, fell_back = requested_tile, True
                    dev = torch.device("cpu")
                    module.to(dev, memory_format=torch.channels_last)
                    notes.append("CUDA ran out of memory even with small tiles; ran on the CPU")
                geometry = tile_plan(stack.shape[1:], module, tile=tile, overlap=overlap)
                total = done + geometry.calls * (len(stack) - index)
                continue
            index += 1
    if progress is not None:
        progress(total, total)
    return DenoiseResult(
        image=output[0] if array.ndim == 2 else output,
        seconds=time.perf_counter() - start,
        device=str(dev),
        tiles=done,
        note="; ".join(notes) or None,
    )
