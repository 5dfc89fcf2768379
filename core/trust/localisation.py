"""Does a map point at the lesions? ROC AUC of map values at lesion against background pixels."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from denoscope.core.errors import ParameterError


def localisation_auc(
    score_map: ArrayLike,
    positive: ArrayLike,
    negative: ArrayLike,
    *,
    absolute: bool = True,
) -> float:
    """Area under the ROC curve of a map separating lesion from background pixels.

    Computed exactly as the Mann-Whitney statistic ``U / (n_pos · n_neg)`` with
    ties counted as one half: the probability that a random lesion pixel scores
    higher than a random background pixel.

    Parameters
    ----------
    score_map : array_like, shape (rows, cols)
        The map (for example the removed-structure z-scores).
    positive, negative : array_like of bool, shape (rows, cols)
        Lesion pixels and background pixels (disjoint).
    absolute : bool, optional
        Score ``|map|`` (a removed dark lesion has negative z); default True.

    Returns
    -------
    float
        AUC in [0, 1]; 0.5 is chance.

    Raises
    ------
    ParameterError
        If either set is empty or they overlap.
    """
    scores = np.asarray(score_map, dtype=np.float64)
    pos, neg = np.asarray(positive, bool), np.asarray(negative, bool)
    if not pos.any() or not neg.any():
        raise ParameterError(
            "the ROC needs lesion and background pixels",
            got=f"{int(pos.sum())} lesion and {int(neg.sum())} background pixels",
        )
    if (pos & neg).any():
        raise ParameterError("lesion and background pixels overlap")
    if absolute:
        scores = np.abs(scores)
    from scipy.stats import rankdata  # imported here: scipy.stats is slow to import

    a, b = scores[pos], scores[neg]
    ranks = rankdata(np.concatenate([a, b]))
    u = ranks[: a.size].sum() - a.size * (a.size + 1) / 2.0
    return float(u / (a.size * b.size))
