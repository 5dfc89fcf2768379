"""Resumable training state in safetensors + JSON (never pickle).

``<out>/checkpoint/last.safetensors`` holds the model weights (``model.*``),
the best weights so far (``best.*``), the Adam moments (``optim.<i>.<name>``)
and torch's RNG state; ``last.json`` holds the epoch, optimiser hyper-parameters,
scheduler state, numpy generator state, history and early-stopping counters.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save

from denoscope.core.errors import DenoscopeError

STATE_DIR = "checkpoint"


def _optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    sd = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for idx, state in sd["state"].items():
        for name, value in state.items():
            if torch.is_tensor(value):
                tensors[f"optim.{idx}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(idx), {})[name] = value
    return tensors, {"param_groups": sd["param_groups"], "scalars": scalars}


def save_state(
    out: Path,
    *,
    model: torch.nn.Module,
    best_model: dict[str, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    rng: np.random.Generator,
    info: dict[str, Any],
) -> Path:
    """Write the training state atomically (temporary files, then rename).

    Parameters
    ----------
    out : Path
        Run folder; the state goes into ``out/checkpoint``.
    model : nn.Module
        The network (unwrapped from DDP).
    best_model : dict of Tensor
        State dict of the best weights so far.
    optimizer, scheduler
        Adam and its learning-rate schedule.
    rng : numpy.random.Generator
        The patch generator.
    info : dict
        JSON-serialisable run state (epoch, history, counters).

    Returns
    -------
    Path
        The ``last.safetensors`` file.
    """
    folder = out / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    tensors.update({f"best.{k}": v.detach().cpu().clone() for k, v in best_model.items()})
    optim_tensors, optim_json = _optimizer_tensors(optimizer)
    tensors.update(optim_tensors)
    tensors["torch_rng"] = torch.get_rng_state()
    meta = {
        **info,
        "optimizer": optim_json,
        "scheduler": scheduler.state_dict(),
        "numpy_rng": rng.bit_generator.state,
    }
    from denoscope.core.io.outputs import write_bytes, write_text

    weights, card = folder / "last.safetensors", folder / "last.json"
    write_bytes(weights, save(tensors), overwrite=True)  # temporary file, fsync, rename
    write_text(card, json.dumps(meta, indent=1, default=float), overwrite=True)
    return weights


def has_state(out: Path) -> bool:
    """True when ``out`` holds a resumable training state."""
    return (out / STATE_DIR / "last.safetensors").is_file() and (
        out / STATE_DIR / "last.json"
    ).is_file()


def load_state(
    out: Path,
    *,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    rng: np.random.Generator,
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Restore a training state written by :func:`save_state` (in place).

    Returns
    -------
    info : dict
        The run state saved with it.
    best : dict of Tensor
        The best weights so far.
    """
    folder = out / STATE_DIR
    if not has_state(out):
        raise DenoscopeError(
            "no training state to resume", path=folder, fix="run without --resume first"
        )
    tensors = load_file(str(folder / "last.safetensors"))
    meta = json.loads((folder / "last.json").read_text())
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    best = {k[5:]: v for k, v in tensors.items() if k.startswith("best.")}
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, idx, name = key.split(".", 2)
            state.setdefault(int(idx), {})[name] = value
    for idx, scalars in meta["optimizer"]["scalars"].items():
        state.setdefault(int(idx), {}).update(scalars)
    optimizer.load_state_dict({"state": state, "param_groups": meta["optimizer"]["param_groups"]})
    scheduler.load_state_dict(meta["scheduler"])
    rng.bit_generator.state = meta["numpy_rng"]
    torch.set_rng_state(tensors["torch_rng"])
    info = {k: v for k, v in meta.items() if k not in ("optimizer", "scheduler", "numpy_rng")}
    return info, best


def initial_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """Read starting weights from a model file or from a run's training state.

    Parameters
    ----------
    path : str or Path
        A model ``.safetensors`` (as written by ``save_model``) or a
        ``checkpoint/last.safetensors`` (its best weights are used).

    Returns
    -------
    dict of Tensor
        A state dict for the network.
    """
    from denoscope.core.errors import ModelFileError

    path = Path(path)
    if not path.is_file():
        raise ModelFileError("weights to start from not found", path=path)
    tensors = load_file(str(path))
    for prefix in ("best.", "model."):
        if any(k.startswith(prefix) for k in tensors):
            return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
    return tensors
