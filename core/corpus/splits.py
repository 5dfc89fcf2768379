"""Split rules: by volume (or patient, or file series), never by slice."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from denoscope.core.errors import DenoscopeError

#: The split names, in order.
SPLITS: tuple[str, ...] = ("train", "val", "test")


def check_splits(entries: Sequence[tuple[str, str, str]], *, modality: str) -> None:
    """Check a corpus's split assignment.

    Parameters
    ----------
    entries : sequence of (volume_id, group, split)
        One triple per volume; ``group`` is the patient or source volume.
    modality : str
        For the error message.

    Raises
    ------
    DenoscopeError
        When a volume id repeats, when one group straddles two splits (slices of
        one patient would leak), or when the train or test split is empty.
    """
    ids = [v for v, _, _ in entries]
    dupes = sorted({v for v in ids if ids.count(v) > 1})
    if dupes:
        raise DenoscopeError(
            f"{modality} corpus lists a volume twice", got=", ".join(dupes), expected="unique ids"
        )
    group_splits: dict[str, set[str]] = {}
    for _, group, split in entries:
        group_splits.setdefault(group, set()).add(split)
    leaking = sorted(g for g, s in group_splits.items() if len(s) > 1)
    if leaking:
        raise DenoscopeError(
            f"{modality} corpus puts one patient or volume in several splits",
            got=", ".join(leaking),
            expected="one split per group",
        )
    present = {s for _, _, s in entries}
    for needed in ("train", "test"):
        if needed not in present:
            raise DenoscopeError(
                f"{modality} corpus has an empty {needed} split",
                fix="make sure the source packages of that split can be downloaded",
            )


def hash_split(key: str, *, val_fraction: float = 0.1, test_fraction: float = 0.1) -> str:
    """Assign a split to a group key (file or series) by a stable hash.

    Parameters
    ----------
    key : str
        The group key, e.g. a series UID or a file path relative to the data folder.
    val_fraction, test_fraction : float, optional
        Expected fractions of groups in the validation and test splits.

    Returns
    -------
    str
        ``"train"``, ``"val"`` or ``"test"``; the same key always gets the same split.
    """
    digest = hashlib.sha256(key.encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    if u < test_fraction:
        return "test"
    if u < test_fraction + val_fraction:
        return "val"
    return "train"


def assign_group_splits(
    keys: Sequence[str], *, val_fraction: float = 0.1, test_fraction: float = 0.1
) -> dict[str, str]:
    """Split groups (files or series) so that each split that can be non-empty is.

    Uses :func:`hash_split`, then, when there are at least three groups and the
    validation or test split came out empty, moves the train groups with the
    smallest hash there (still deterministic).

    Parameters
    ----------
    keys : sequence of str
        Distinct group keys.
    val_fraction, test_fraction : float, optional
        Expected fractions, see :func:`hash_split`.

    Returns
    -------
    dict
        Group key -> split.
    """
    splits = {
        k: hash_split(k, val_fraction=val_fraction, test_fraction=test_fraction) for k in keys
    }
    if len(keys) >= 3:
        for needed in ("test", "val"):
            if needed not in splits.values():
                train = sorted(
                    (k for k, s in splits.items() if s == "train"),
                    key=lambda k: hashlib.sha256(k.encode()).digest(),
                )
                if len(train) > 1:
                    splits[train[0]] = needed
    elif len(keys) == 2:
        k = sorted(keys, key=lambda k: hashlib.sha256(k.encode()).digest())
        splits = {k[0]: "test", k[1]: "train"}
    if keys and "train" not in splits.values():
        raise DenoscopeError("no image left for training", got=f"{len(keys)} groups")
    return splits
