"""Stacking single-frame DICOM series into one volume.

Exports from other tools and teaching files often give every slice its own
SeriesInstanceUID, so a folder of 8 slices reads as 8 one-frame "series". Such
files can be reviewed as one stack when they belong together:

* every file holds one frame and is the only file of its series;
* they share a FrameOfReferenceUID (or, when a file has none, a
  StudyInstanceUID), an ImageOrientationPatient (to 1e-3) and a frame size.

A stack is sorted by position along the slice normal (ImagePositionPatient
projected on the cross product of the orientation's row and column
directions), then InstanceNumber, then file name (natural order); files that
lack a position or an instance number sort after those that have one.

A stack is offered like a series: its key (``"stack:<hash>"``) stands in for a
SeriesInstanceUID in :func:`denoscope.core.io.list_stacks` and
:func:`denoscope.core.io.load_study`, and the loaded study records the
series it was stacked from (:attr:`Study.stacked_from`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from denoscope.core.io.dicom_series import Header
from denoscope.core.io.multiframe import finite_values
from denoscope.core.io.png import natural_key

#: Prefix of the keys that name a stack where a SeriesInstanceUID is expected.
STACK_PREFIX = "stack:"

#: The sort rule, as stated in provenance.
SORT_RULE = "position along the slice normal, then InstanceNumber, then file name"


@dataclass(frozen=True)
class StackGroup:
    """Single-frame series that form one stack.

    Attributes
    ----------
    key : str
        ``"stack:<hash>"``, stable for the same files.
    headers : tuple of Header
        The files, sorted by :data:`SORT_RULE`.
    shared : str
        What they share: ``"FrameOfReferenceUID"`` or ``"StudyInstanceUID"``.
    """

    key: str
    headers: tuple[Header, ...]
    shared: str

    @property
    def series_uids(self) -> tuple[str, ...]:
        """The SeriesInstanceUIDs stacked, in stack order."""
        return tuple(h.series_uid or "" for h in self.headers)

    def describe(self) -> str:
        """A one-line note for the user and for provenance."""
        return (
            f"{len(self.headers)} single-frame series sharing a {self.shared} and an "
            f"orientation, stacked by {SORT_RULE}"
        )


def _orientation(header: Header) -> tuple[float, ...] | None:
    values = finite_values(header.ds.get("ImageOrientationPatient"))
    if values is None or len(values) != 6:
        return None
    return tuple(round(v, 3) + 0.0 for v in values)


def _reference(header: Header) -> tuple[str, str] | None:
    for keyword in ("FrameOfReferenceUID", "StudyInstanceUID"):
        value = str(header.ds.get(keyword, "") or "").strip()
        if value:
            return keyword, value
    return None


def _instance_number(header: Header) -> float:
    try:
        value = float(header.ds.get("InstanceNumber"))
    except (TypeError, ValueError):
        return math.inf
    return value if math.isfinite(value) else math.inf


def sort_stack(headers: list[Header]) -> list[Header]:
    """Sort files by :data:`SORT_RULE` (the normal comes from the first oriented file)."""
    normal = None
    for header in headers:
        ori = _orientation(header)
        if ori is not None:
            cross = np.cross(np.asarray(ori[:3]), np.asarray(ori[3:]))
            if np.linalg.norm(cross) > 1e-6:
                normal = cross
                break

    def key(header: Header) -> tuple:
        pos = finite_values(header.ds.get("ImagePositionPatient"))
        along = (
            float(np.dot(np.asarray(pos), normal))
            if normal is not None and pos is not None and len(pos) == 3
            else math.inf
        )
        return (along, _instance_number(header), natural_key(header.path), str(header.path))

    return sorted(headers, key=key)


def _key(headers: list[Header]) -> str:
    digest = hashlib.sha1("\n".join(str(h.path) for h in headers).encode()).hexdigest()
    return STACK_PREFIX + digest[:12]


def group_stacks(headers: list[Header]) -> list[StackGroup]:
    """Find the stacks among single-frame files (see the module docstring).

    Parameters
    ----------
    headers : list of Header
        Candidate files; only those that are one frame and alone in their series count.

    Returns
    -------
    list of StackGroup
        Groups of at least two files, largest first.
    """
    per_series: dict[str | None, int] = {}
    for header in headers:
        per_series[header.series_uid] = per_series.get(header.series_uid, 0) + 1
    groups: dict[tuple, list[Header]] = {}
    shared: dict[tuple, str] = {}
    for header in headers:
        if header.n_frames != 1 or per_series[header.series_uid] != 1:
            continue
        reference, orientation = _reference(header), _orientation(header)
        if reference is None or orientation is None:
            continue
        size = (header.ds.get("Rows"), header.ds.get("Columns"))
        group_key = (reference, orientation, size)
        groups.setdefault(group_key, []).append(header)
        shared[group_key] = reference[0]
    stacks = [
        StackGroup(key=_key(sorted_headers), headers=tuple(sorted_headers), shared=shared[k])
        for k, members in groups.items()
        if len(members) >= 2
        for sorted_headers in [sort_stack(members)]
    ]
    return sorted(stacks, key=lambda group: -len(group.headers))


def stack_of_files(headers: list[Header]) -> StackGroup | None:
    """The stack formed by exactly these files, or None when they do not all stack."""
    stacks = group_stacks(headers)
    if len(stacks) == 1 and len(stacks[0].headers) == len(headers):
        return stacks[0]
    return None


def describe_files(paths: list[Path]) -> str:
    """A short list of file names for a note ("a.dcm, b.dcm and 3 more")."""
    names = [p.name for p in paths]
    if len(names) <= 3:
        return ", ".join(names)
    return f"{', '.join(names[:3])} and {len(names) - 3} more"
