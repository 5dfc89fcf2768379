"""DistributedDataParallel set-up: the same script runs alone or under ``torchrun``.

Under ``torchrun --nproc_per_node N`` the environment holds ``RANK``,
``WORLD_SIZE`` and ``LOCAL_RANK``; the process group uses NCCL on CUDA and gloo
on the CPU. Each rank draws its own patches from a generator seeded with
``(seed, rank)`` (per-rank seeded sampling), gradients are averaged by DDP, and
only rank 0 writes files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistContext:
    """Where this process stands in a (possibly single-process) run.

    Attributes
    ----------
    rank, world_size, local_rank : int
        Process indices (0, 1, 0 when not distributed).
    device : torch.device
        The device this rank trains on.
    """

    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def distributed(self) -> bool:
        """True under torchrun with more than one process."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """True on the rank that logs and writes files."""
        return self.rank == 0


def init_distributed(device: str = "auto") -> DistContext:
    """Join the process group when launched by torchrun; pick this rank's device.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}
        ``"auto"`` trains on CUDA when available.

    Returns
    -------
    DistContext
        This process's rank, world size and device.
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = device == "cuda" or (device == "auto" and torch.cuda.is_available())
    if use_cuda and not torch.cuda.is_available():
        from denoscope.core.errors import DeviceError

        raise DeviceError("CUDA was asked for but is not available", fix="use --device cpu")
    if use_cuda:
        torch.cuda.set_device(local % torch.cuda.device_count())
        dev = torch.device("cuda", local % torch.cuda.device_count())
    else:
        dev = torch.device("cpu")
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    return DistContext(rank=rank, world_size=world, local_rank=local, device=dev)


def all_mean(value: float, ctx: DistContext) -> float:
    """Average a float over ranks (identity when not distributed)."""
    if not ctx.distributed:
        return value
    t = torch.tensor([value], dtype=torch.float64, device=ctx.device)
    dist.all_reduce(t)
    return float(t.item()) / ctx.world_size


def broadcast_flag(flag: bool, ctx: DistContext) -> bool:
    """Return rank 0's boolean on every rank."""
    if not ctx.distributed:
        return flag
    t = torch.tensor([1 if flag else 0], device=ctx.device)
    dist.broadcast(t, src=0)
    return bool(t.item())


def barrier(ctx: DistContext) -> None:
    """Wait for every rank (no-op when not distributed)."""
    if ctx.distributed:
        dist.barrier()


def shutdown(ctx: DistContext) -> None:
    """Leave the process group."""
    if ctx.distributed and dist.is_initialized():
        dist.destroy_process_group()
