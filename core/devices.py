"""Compute devices and CPU threads for inference.

``resolve_device("auto")`` picks CUDA when ``torch.cuda.is_available()``, else
the CPU; asking for ``"cuda"`` where there is none falls back to the CPU with a
note rather than failing, so a saved setting never makes the app unusable.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from denoscope.core.errors import ParameterError

if TYPE_CHECKING:
    import torch

DEVICE_CHOICES: tuple[str, ...] = ("auto", "cpu", "cuda")
"""The device names accepted by :func:`resolve_device` (``"cuda:N"`` works too)."""

THREADS_ENV = "DENOSCOPE_NUM_THREADS"
"""Environment variable that sets the number of CPU threads used for inference."""

_threads_configured = False


def resolve_device(name: str = "auto") -> tuple[torch.device, str | None]:
    """Turn a device name into a ``torch.device``.

    Parameters
    ----------
    name : {"auto", "cpu", "cuda"} or "cuda:N"
        ``"auto"`` uses CUDA when available, else the CPU.

    Returns
    -------
    device : torch.device
        The device to run on.
    note : str or None
        Why the device differs from the one asked for (CUDA missing), else None.

    Raises
    ------
    ParameterError
        If the name is not a device name.
    """
    import torch

    key = str(name).strip().lower()
    if key not in DEVICE_CHOICES and not key.startswith("cuda:"):
        raise ParameterError(
            "unknown compute device",
            got=repr(name),
            expected=f"one of {', '.join(DEVICE_CHOICES)} or cuda:N",
        )
    if key == "cpu":
        return torch.device("cpu"), None
    if torch.cuda.is_available():
        return torch.device("cuda" if key == "auto" else key), None
    if key == "auto":
        return torch.device("cpu"), None
    return torch.device("cpu"), "CUDA was asked for but is not available here; ran on the CPU"


def available_cpus() -> int:
    """Number of CPU cores this process may run on (honours affinity masks)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def configure_cpu_threads() -> int:
    """Set torch's intra-op threads sensibly, once per process.

    ``DENOSCOPE_NUM_THREADS`` wins when set. Otherwise torch's own choice
    (``OMP_NUM_THREADS``, or the number of physical cores) is kept, only
    lowered to the cores this process may use, so a container or a ``taskset``
    limit is not oversubscribed. A later ``torch.set_num_threads`` call by the
    user is never overridden (this runs once).

    Returns
    -------
    int
        The number of threads torch uses.
    """
    import torch

    global _threads_configured
    if not _threads_configured:
        _threads_configured = True
        wanted = os.environ.get(THREADS_ENV)
        if wanted:
            try:
                torch.set_num_threads(max(1, int(wanted)))
            except ValueError as error:
                raise ParameterError(
                    f"{THREADS_ENV} is not a whole number",
                    got=repr(wanted),
                    expected="a positive integer",
                    fix=f"unset {THREADS_ENV} or set it to e.g. 2",
                ) from error
        elif "OMP_NUM_THREADS" not in os.environ:
            torch.set_num_threads(min(torch.get_num_threads(), available_cpus()))
    return torch.get_num_threads()
