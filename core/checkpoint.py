"""Model files: safetensors weights plus a JSON card, loaded without pickle.

A model is two sibling files: ``NAME.safetensors`` (tensors only) and
``NAME.json`` (a :class:`~denoscope.core.model_card.ModelCard`). Loading checks,
in order: both files exist, the card is valid JSON of a known schema version,
the weights' sha256 matches the card, the safetensors header parses and its
tensor names and shapes match the architecture the card describes (strict, before
any network is built), and the network's output on a fixed probe image is finite
and in [0, 1] (:mod:`denoscope.core.model_safety`).
Any failure is a :class:`~denoscope.core.errors.ModelFileError` saying what was
found, what was expected and how to fix it. Nothing is ever unpickled.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from denoscope.core.errors import ModelFileError
from denoscope.core.model_card import FORMAT_VERSION, ModelCard
from denoscope.core.model_safety import (
    check_header_matches,
    expected_shapes,
    probe_check,
    read_json_bounded,
    safetensors_header,
)

if TYPE_CHECKING:
    from torch import nn

    from denoscope.core.models import Denoiser

__all__ = [
    "LoadedModel",
    "ModelCard",
    "card_path",
    "file_sha256",
    "load_card",
    "load_model",
    "save_model",
    "weights_path",
]


@dataclass(frozen=True)
class LoadedModel:
    """A network rebuilt from a model file, in eval mode on the CPU.

    Attributes
    ----------
    module : Denoiser
        The network.
    card : ModelCard
        Its card.
    path : Path
        The weights file.
    """

    module: Denoiser
    card: ModelCard
    path: Path


def weights_path(path: str | Path) -> Path:
    """Return the ``.safetensors`` file of a model given either of its two files."""
    path = Path(path)
    return path.with_suffix(".safetensors") if path.suffix == ".json" else path


def card_path(path: str | Path) -> Path:
    """Return the ``.json`` card of a model given either of its two files."""
    return Path(path).with_suffix(".json")


def file_sha256(path: str | Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def save_model(path: str | Path, model: nn.Module, card: ModelCard) -> ModelCard:
    """Write a network's weights (safetensors) and its card (JSON) side by side.

    Parameters
    ----------
    path : str or Path
        The ``.safetensors`` file to write (its ``.json`` card goes beside it).
        Existing files are replaced: the caller decides about overwriting.
    model : nn.Module
        The network; its ``state_dict`` is saved (tensors made contiguous, on CPU).
    card : ModelCard
        The card; ``parameter_count``, ``weights_file``, ``weights_sha256``,
        ``created`` (if unset) and ``denoscope_version`` are filled in here.

    Returns
    -------
    ModelCard
        The card as written.
    """
    from safetensors.torch import save

    from denoscope import __version__
    from denoscope.core.io.outputs import write_bytes, write_text

    path = weights_path(path)
    if path.suffix != ".safetensors":
        raise ModelFileError(
            "a model's weights file must end in .safetensors",
            path=path,
            got=repr(path.suffix),
            expected="'.safetensors'",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {
        name: tensor.detach().to("cpu").contiguous().clone()
        for name, tensor in model.state_dict().items()
    }
    data = save(tensors, metadata={"format": "pt", "denoscope_card": card_path(path).name})
    # Both files are written atomically (temporary file, fsync, rename): a full disk
    # or a crash leaves the previous model intact, never a truncated one.
    write_bytes(path, data, overwrite=True)
    written = card.model_copy(
        update={
            "parameter_count": sum(p.numel() for p in model.parameters()),
            "weights_file": path.name,
            "weights_sha256": hashlib.sha256(data).hexdigest(),
            "created": card.created or datetime.now(UTC).replace(microsecond=0),
            "denoscope_version": __version__,
        }
    )
    write_text(card_path(path), written.model_dump_json(indent=2) + "\n", overwrite=True)
    return written


def load_card(path: str | Path) -> ModelCard:
    """Read and validate a model card (given the ``.json`` or the ``.safetensors``).

    Raises
    ------
    ModelFileError
        If the card is missing, not JSON, of an unknown version or invalid.
    """
    json_path = card_path(path)
    if not json_path.is_file():
        raise ModelFileError(
            "the model card is missing",
            path=json_path,
            expected="a JSON card beside the .safetensors weights",
            fix="keep the .json file that was saved with the weights, or re-save the model",
        )
    data = read_json_bounded(json_path)  # size and nesting bounded before parsing
    if not isinstance(data, dict):
        raise ModelFileError(
            "the model card is not a JSON object", path=json_path, got=type(data).__name__
        )
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            "unsupported model card format version",
            path=json_path,
            got=repr(version),
            expected=repr(FORMAT_VERSION),
            fix="use the Denoscope release that wrote this model, or re-export it",
        )
    try:
        return ModelCard.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'card'}: {e['msg']}" for e in error.errors()
        )
        raise ModelFileError(
            "the model card does not follow the schema",
            path=json_path,
            got=problems,
            expected=f"a ModelCard, format version {FORMAT_VERSION}",
            fix="fix or regenerate the card",
        ) from error


def load_model(path: str | Path) -> LoadedModel:
    """Load a model file (the ``.safetensors`` or its ``.json`` card) without unpickling.

    Parameters
    ----------
    path : str or Path
        Either file of the pair.

    Returns
    -------
    LoadedModel
        The network in eval mode on the CPU, its card and weights path.

    Raises
    ------
    ModelFileError
        If a file is missing, the card is invalid, the weights' sha256 differs
        from the card's, the weights are unreadable (truncated) or their tensor
        names or shapes do not match the architecture.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from denoscope.core.models import build_model

    weights = weights_path(path)
    if weights.suffix != ".safetensors":
        raise ModelFileError(
            "not a model file",
            path=path,
            got=repr(Path(path).suffix),
            expected="a .safetensors weights file or its .json card",
            fix="pass the model's .safetensors (or .json) file",
        )
    if not weights.is_file():
        raise ModelFileError(
            "the model weights file is missing",
            path=weights,
            expected="a .safetensors file beside the card",
            fix="copy both the .safetensors and the .json file of the model",
        )
    card = load_card(weights)
    for field in ("weights_sha256", "parameter_count"):
        if getattr(card, field) is None:
            raise ModelFileError(
                f"the model card has no {field}",
                path=card_path(weights),
                fix="save models with denoscope.core.checkpoint.save_model",
            )
    digest = file_sha256(weights)
    if digest != card.weights_sha256:
        raise ModelFileError(
            "the weights file does not match its card (sha256 differs: corrupt, truncated "
            "or replaced)",
            path=weights,
            got=digest,
            expected=card.weights_sha256,
            fix="restore the original .safetensors file that was saved with this card",
        )
    # The header alone is checked against the card's architecture (built on the meta
    # device: no memory) before any real network is built or any weight is read.
    check_header_matches(
        safetensors_header(weights),
        expected_shapes(card.architecture),
        weights,
        f"{card.architecture.arch} {card.architecture.model_dump()}",
    )
    try:
        tensors = load_file(str(weights), device="cpu")
    except (SafetensorError, OSError, ValueError) as error:
        raise ModelFileError(
            "the weights file is not readable safetensors",
            path=weights,
            got=str(error),
            fix="restore the original .safetensors file",
        ) from error
    module = build_model(card.architecture)
    module.load_state_dict(tensors, strict=True)
    module.eval()
    probe_check(module, weights)
    if card.parameter_count != module.parameter_count:
        raise ModelFileError(
            "the card's parameter count differs from the network's",
            path=card_path(weights),
            got=str(card.parameter_count),
            expected=str(module.parameter_count),
            fix="regenerate the card with save_model",
        )
    return LoadedModel(module=module, card=card, path=weights)
