"""Each reader's seeded, recorded order of trials and left/right placement.

The generator is ``numpy.random.default_rng([study seed, reader seed])`` where
the reader seed is the first 8 bytes of ``sha256(reader name)`` as an integer,
so the same study and reader always give the same order, and different readers
get different ones. The order is written into the study when a reader first
opens it (``reader_trials``) and read back from there afterwards, so it never
depends on this code again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np


def reader_seed(name: str) -> int:
    """The reader's part of the seed: the first 8 bytes of ``sha256(name)``, as an integer."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")


def reader_order(
    trial_ids: Sequence[int], *, study_seed: int, reader: str, pairwise: bool
) -> list[tuple[int, bool]]:
    """Shuffle the trials for one reader and choose, for pairs, which side is which.

    Parameters
    ----------
    trial_ids : sequence of int
        The study's trials.
    study_seed : int
        The study's ``--seed``.
    reader : str
        The reader's name.
    pairwise : bool
        Draw a left/right swap per trial (False for Likert: never swapped).

    Returns
    -------
    list of (int, bool)
        ``(trial id, swap)`` in reading order; ``swap`` puts ``method_b`` on the left.
    """
    rng = np.random.default_rng([int(study_seed), reader_seed(reader)])
    permutation = rng.permutation(len(trial_ids))
    swaps = rng.random(len(trial_ids)) < 0.5 if pairwise else np.zeros(len(trial_ids), bool)
    return [(int(trial_ids[i]), bool(swaps[k])) for k, i in enumerate(permutation)]
