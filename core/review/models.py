"""Which model reviews a study, loaded once and shared (CLI, viewer, exports, evaluation)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from denoscope.core.errors import ParameterError
from denoscope.core.modality import MODEL_MODALITIES, Modality

if TYPE_CHECKING:
    from denoscope.core.checkpoint import LoadedModel

_LOCK = threading.Lock()
_CACHE: dict[tuple[str, float, int], LoadedModel] = {}


def model_path_for(modality: str, model_path: str | Path | None = None) -> Path:
    """The model file that reviews a study: the user's choice, else the modality's shipped one.

    Parameters
    ----------
    modality : str
        The modality whose shipped model is used when ``model_path`` is None.
    model_path : str or Path, optional
        A model file (``.safetensors`` or its ``.json`` card), or a modality
        name (``"ct"``) meaning that modality's shipped model.

    Returns
    -------
    Path

    Raises
    ------
    ParameterError
        No model file and a modality without a model (``"unknown"``).
    denoscope.core.errors.ModelFileError
        No model is shipped for the modality.
    """
    from denoscope.core.model_registry import shipped_model

    if model_path is not None:
        text = str(model_path).strip().lower()
        if text in MODEL_MODALITIES and not Path(model_path).exists():
            return Path(shipped_model(text))
        return Path(model_path)
    key = Modality.parse(modality)
    if not key.has_model:
        raise ParameterError(
            "cannot tell which model to use: the study's modality is unknown",
            got=repr(str(modality)),
            expected="an MRI, CT or X-ray study",
            fix="choose the modality (--modality mri|ct|xray) or a model file (--model FILE)",
        )
    return Path(shipped_model(key))


def load_model_cached(path: str | Path) -> LoadedModel:
    """Load a model file once (hash- and schema-checked), keyed by path, mtime and size.

    The last model loaded is kept; loading another replaces it (one model in
    memory at a time). Thread-safe.
    """
    from denoscope.core.checkpoint import load_model, weights_path

    weights = weights_path(path)
    try:
        stat = weights.stat()
        key = (str(weights.resolve()), stat.st_mtime, stat.st_size)
    except OSError:
        return load_model(path)  # raises the typed "missing model" error
    with _LOCK:
        if key not in _CACHE:
            _CACHE.clear()
            _CACHE[key] = load_model(path)
        return _CACHE[key]


def model_name(loaded: LoadedModel, path: str | Path) -> str:
    """The card's name, else the file's stem."""
    name = getattr(getattr(loaded, "card", None), "name", None)
    return name if isinstance(name, str) and name else Path(path).stem
