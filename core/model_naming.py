"""Unique names for trained models, so a fresh model is never confused with a shipped one.

A trained model's card is named ``"<arch> <modality> <date> <hash>"``, e.g.
``"res-cae ct 2026-11-23 3f9a1c2e"``: the architecture, the modality, the UTC
date of training and the first 8 hex digits of the weights' sha256. The shipped
models keep their release names (``"Denoscope ct res-cae v1"``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

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


def name_trained_model(model_path: str | Path) -> str:
    """Give a just-trained model its unique name (:func:`unique_model_name`) in its card.

    Called by :func:`denoscope.core.training.loop.train` after it saves the model, so
    every trained model (CLI or library call) gets a name no shipped model has.

    Parameters
    ----------
    model_path : str or Path
        The model's ``.safetensors`` file (its card is beside it).

    Returns
    -------
    str
        The new name.
    """
    from denoscope.core.checkpoint import card_path, load_card
    from denoscope.core.io.outputs import write_text

    card = load_card(model_path)
    name = unique_model_name(
        card.architecture.arch, card.modality, card.weights_sha256 or "0" * 8, when=card.created
    )
    named = card.model_copy(update={"name": name})
    write_text(card_path(model_path), named.model_dump_json(indent=2) + "\n", overwrite=True)
    return name
