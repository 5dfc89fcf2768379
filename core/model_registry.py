"""Find the shipped model of each modality in the ``models/`` data package.

A shipped model is ``models/<modality>.safetensors`` with its card
``models/<modality>.json`` (plus a loss-curve PNG and an evaluation table).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from denoscope.core.errors import ModelFileError, ParameterError
from denoscope.core.modality import MODEL_MODALITIES, Modality
from denoscope.core.resources import shipped_models_dir

if TYPE_CHECKING:
    from denoscope.core.checkpoint import LoadedModel

SHIPPED_MODALITIES: tuple[Modality, ...] = MODEL_MODALITIES
"""Modalities for which a model is (to be) shipped (:data:`~denoscope.core.modality.MODEL_MODALITIES`)."""


def shipped_model(modality: str) -> Path:
    """Return the weights file of the shipped model for a modality.

    Parameters
    ----------
    modality : {"mri", "ct", "xray"}
        The modality.

    Returns
    -------
    Path
        ``models/<modality>.safetensors`` (its card is the sibling ``.json``).

    Raises
    ------
    ParameterError
        If the modality is not one of :data:`SHIPPED_MODALITIES`.
    ModelFileError
        If no model is shipped for it (yet).
    """
    key = str(modality).strip().lower()
    if key not in SHIPPED_MODALITIES:
        raise ParameterError(
            "no shipped model for this modality",
            got=repr(modality),
            expected=f"one of {', '.join(SHIPPED_MODALITIES)}",
            fix="choose the modality explicitly, or pass a model file (--model FILE)",
        )
    path = shipped_models_dir() / f"{key}.safetensors"
    if not path.is_file() or not path.with_suffix(".json").is_file():
        raise ModelFileError(
            f"no {key} model is shipped in this installation",
            path=path,
            expected=f"{path.name} and {path.with_suffix('.json').name}",
            fix=(
                "pass a model file (--model FILE.safetensors), or train one with "
                "`denoscope train` and copy it into models/"
            ),
        )
    return path


def list_shipped() -> dict[str, Path]:
    """Return the shipped models that exist, as ``{modality: weights path}``."""
    found = {}
    for modality in SHIPPED_MODALITIES:
        path = shipped_models_dir() / f"{modality}.safetensors"
        if path.is_file() and path.with_suffix(".json").is_file():
            found[modality] = path
    return found


def load_shipped_model(modality: str) -> LoadedModel:
    """Load (hash- and schema-checked) the shipped model of a modality.

    Raises
    ------
    ModelFileError
        If none is shipped or its files are corrupt.
    """
    from denoscope.core.checkpoint import load_model

    return load_model(shipped_model(modality))
