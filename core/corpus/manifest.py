"""The corpus manifest: one row per volume (source, licence, split, file)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from denoscope.core.errors import DenoscopeError

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"


class VolumeEntry(BaseModel):
    """One volume (or image stack) of a corpus.

    Attributes
    ----------
    volume_id : str
        Unique id inside the corpus.
    group : str
        The patient or source volume it comes from: the split unit (all entries
        of one group share a split).
    source : str
        Where the images come from (package and file).
    licence : str
        Licence of the source images.
    modality : str
        ``"mri"``, ``"ct"`` or ``"xray"``.
    split : str
        ``"train"``, ``"val"`` or ``"test"``.
    file : str
        The ``.npy`` stack, relative to the corpus folder: float32 (slices, rows, cols) in [0, 1].
    n_slices, rows, cols : int
        Shape of the stack.
    normalization : dict
        The :class:`denoscope.core.intensity.Normalization` used, as JSON.
    real : bool
        False for simulated images (digitally reconstructed radiographs).
    note : str
        How the images were derived.
    """

    model_config = ConfigDict(extra="forbid")

    volume_id: str
    group: str
    source: str
    licence: str
    modality: Literal["mri", "ct", "xray"]
    split: Literal["train", "val", "test"]
    file: str
    n_slices: int
    rows: int
    cols: int
    normalization: dict[str, Any]
    real: bool = True
    note: str = ""


class CorpusManifest(BaseModel):
    """The manifest of one modality's corpus.

    Attributes
    ----------
    modality : str
        The corpus modality.
    recipe_version : int
        Bumped whenever a recipe changes what it writes.
    volumes : list of VolumeEntry
        Every volume, in build order.
    skipped : list of str
        Sources that could not be had, with the reason.
    """

    model_config = ConfigDict(extra="forbid")

    modality: Literal["mri", "ct", "xray"]
    recipe_version: int
    volumes: list[VolumeEntry]
    skipped: list[str] = []

    def split(self, name: str) -> list[VolumeEntry]:
        """Return the volumes of one split (``"train"``, ``"val"`` or ``"test"``)."""
        return [v for v in self.volumes if v.split == name]

    def sources(self, split: str | None = None) -> list[tuple[str, str]]:
        """Return the distinct (source, licence) pairs, optionally of one split."""
        seen: dict[tuple[str, str], None] = {}
        for v in self.volumes:
            if split is None or v.split == split:
                seen[(v.source, v.licence)] = None
        return list(seen)


def write_manifest(manifest: CorpusManifest, folder: Path) -> None:
    """Write ``manifest.json`` and a ``manifest.csv`` view of it into ``folder``."""
    import io

    from denoscope.core.io.outputs import write_text

    folder.mkdir(parents=True, exist_ok=True)
    fields = [f for f in VolumeEntry.model_fields if f != "normalization"]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=[*fields, "normalization"])
    writer.writeheader()
    for v in manifest.volumes:
        row = v.model_dump()
        row["normalization"] = json.dumps(row["normalization"], sort_keys=True)
        writer.writerow(row)
    write_text(folder / MANIFEST_CSV, buffer.getvalue(), overwrite=True)
    # the JSON last: a corpus counts as built once its manifest.json exists
    write_text(folder / MANIFEST_JSON, manifest.model_dump_json(indent=2) + "\n", overwrite=True)


def load_manifest(folder: str | Path) -> CorpusManifest:
    """Read a corpus manifest.

    Parameters
    ----------
    folder : str or Path
        The corpus folder (holding ``manifest.json``).

    Returns
    -------
    CorpusManifest
        The parsed, checked manifest.

    Raises
    ------
    DenoscopeError
        When the folder holds no valid manifest.
    """
    path = Path(folder) / MANIFEST_JSON
    if not path.is_file():
        raise DenoscopeError(
            "no corpus manifest here",
            path=path,
            fix="build the corpus first: denoscope corpus build --modality <mri|ct|xray>",
        )
    try:
        return CorpusManifest.model_validate_json(path.read_text())
    except ValueError as error:
        raise DenoscopeError(
            "corpus manifest is invalid", path=path, got=str(error).splitlines()[0]
        ) from error


def save_npy(path: Path, array: np.ndarray) -> None:
    """Write an array as ``.npy`` atomically (temporary file, fsync, rename; no pickle)."""
    import io

    from denoscope.core.io.outputs import write_bytes

    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)
    write_bytes(path, buffer.getvalue(), overwrite=True)
