"""Start a network from the weights of a related one (a warm start for fine-tuning).

Used by ``denoscope train --init`` when the starting weights come from a
different configuration of the same architecture, such as a v1 ``res-cae``
(blind, transposed-conv decoder) warm-starting a v2 one (noise-level input,
resize-conv decoder). Rules, applied per tensor name:

- same name and shape: copied;
- ``head.0.weight`` with more input channels (the noise-level channels added):
  the old channels copied, the new ones zero (so the warm-started network
  first ignores the noise map, then learns to use it);
- a 2x2 stride-2 transposed conv ``up.K.weight`` (in, out, 2, 2) to the
  conv of a resize-convolution ``up.K.1.weight`` (out, in, k, k): the mean of
  the four phase taps goes to the centre tap (what the transposed conv does
  on average over the output phases), biases copied;
- anything else (the new refinement layers) keeps its fresh initialisation.
"""

from __future__ import annotations

import torch
from torch import nn


def transfer_weights(net: nn.Module, state: dict[str, torch.Tensor]) -> list[str]:
    """Load what fits of ``state`` into ``net``, adapting known shape changes.

    Parameters
    ----------
    net : nn.Module
        The network to initialise (modified in place).
    state : dict of Tensor
        Weights of a related network.

    Returns
    -------
    list of str
        One line per tensor of ``net`` that was adapted or left fresh, for the log
        and the model card.
    """
    target = net.state_dict()
    notes: list[str] = []
    with torch.no_grad():
        for name, tensor in target.items():
            source = state.get(name)
            if source is not None and source.shape == tensor.shape:
                tensor.copy_(source)
                continue
            if name == "head.0.weight" and source is not None and source.ndim == 4:
                cin = source.shape[1]
                if source.shape[0] == tensor.shape[0] and cin < tensor.shape[1]:
                    tensor.zero_()
                    tensor[:, :cin] = source
                    notes.append(f"{name}: {cin} input channels copied, the rest zero")
                    continue
            old = name.replace(".1.weight", ".weight").replace(".1.bias", ".bias")
            transposed = state.get(old) if name.startswith("up.") else None
            if transposed is not None and name.endswith(".weight") and transposed.ndim == 4:
                if (transposed.shape[1], transposed.shape[0]) == tuple(tensor.shape[:2]):
                    tensor.zero_()
                    centre = tensor.shape[2] // 2
                    tensor[:, :, centre, centre] = transposed.mean(dim=(2, 3)).t()
                    notes.append(f"{name}: centre tap from the mean of {old}'s phases")
                    continue
            if (
                transposed is not None
                and name.endswith(".bias")
                and transposed.shape == tensor.shape
            ):
                tensor.copy_(transposed)
                notes.append(f"{name}: copied from {old}")
                continue
            notes.append(f"{name}: fresh")
    return notes
