"""Unique names for trained models, so a fresh model is never confused with a shipped one.

A trained model's card is named ``"<arch> <modality> <date> <hash>"``, e.g.
``"res-cae ct 2026-11-23 3f9a1c2e"``: the architecture, the modality, the UTC
date of training and the first 8 hex digits of the weights' sha256. The shipped
models keep their release names (``"Denoscope ct res-cae v1"``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

#: Files whose presence marks a folder as holding a training run.
RUN_FILES: tuple[str, ...] = ("model.safetensors", "model.json", "history.csv", "checkpoint")

_NAME = re.compile(r"^(?P<arch>\S+) (?P<modality>\S+) \d{4}-\d{2}-\d{2} [0-9a-f]{8}$")


def unique_model_name(
    arch: str, modality: str, weights_sha256: str, *, when: datetime | None = None
) -> str:
    """Return the unique name of a trained model (see the module docstring).

    Parameters
    ----------
    arch : str
        Architecture name, e.g. ``"res-cae"``.
    modality : str
        ``"mri"``, ``"ct"``, ``"xray"`` or ``"any"``.
    weights_sha256 : str
        The weights' sha256 (hex); its first 8 digits tell two runs apart.
    when : datetime, optional
        Training date (default: now, UTC).

    Returns
    -------
    str
        E.g. ``"res-cae ct 2026-11-23 3f9a1c2e"``.
    """
    day = (when or datetime.now(UTC)).strftime("%Y-%m-%d")
    return f"{arch} {modality} {day} {weights_sha256[:8].lower()}"


def is_unique_model_name(name: str) -> bool:
    """Return True for a name made by :func:`unique_model_name`."""
    return _NAME.match(name) is not None
