"""Study designs, rating criteria, the methods a study may compare, and trial lists.

*Likert*: one image at a time, every criterion rated 1-5 (5 = best; for
"noise" and "artefacts" 5 means *least*, so higher is always better). One trial
per (case, method).

*Pairwise forced choice*: two methods of one case side by side; the reader
picks the one they would rather read and says how sure they are
(:data:`CONFIDENCE_LEVELS`). One trial per (case, unordered pair of methods);
each reader's left/right placement is randomised (:mod:`denoscope.core.study.order`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Literal

from denoscope.core.errors import ParameterError

Design = Literal["likert", "pairwise"]

#: The designs a study can use.
DESIGNS: tuple[str, ...] = ("likert", "pairwise")

#: Default Likert criteria: (key, question shown to the reader). 5 is always best.
DEFAULT_CRITERIA: tuple[tuple[str, str], ...] = (
    ("overall", "Overall image quality (1 poor - 5 excellent)"),
    ("noise", "Noise (1 severe - 5 none)"),
    ("sharpness", "Sharpness (1 blurred - 5 sharp)"),
    ("artefacts", "Artefacts or invented structure (1 severe - 5 none)"),
    ("confidence", "Diagnostic confidence (1 none - 5 full)"),
)

#: The pairwise question and the confidence scale (keys 1-3).
PAIRWISE_QUESTION = "Which image would you rather read?"
CONFIDENCE_LEVELS: tuple[tuple[int, str], ...] = ((1, "unsure"), (2, "fairly sure"), (3, "sure"))

#: Method keys beside the classical baselines.
SPECIAL_METHODS: tuple[str, ...] = ("model", "noisy")

#: The clean image's key in the study file (shown only as the reference, never rated).
REFERENCE = "reference"


def parse_criteria(text: str | None) -> list[tuple[str, str]]:
    """Parse ``--criteria``: comma-separated ``key`` or ``key=question`` (default: the five).

    Parameters
    ----------
    text : str or None
        E.g. ``"overall,noise=Noise (1 severe - 5 none)"``; None or empty gives
        :data:`DEFAULT_CRITERIA`.

    Returns
    -------
    list of (str, str)
        Keys (lower-case identifiers, unique) and questions.
    """
    if not text:
        return list(DEFAULT_CRITERIA)
    defaults = dict(DEFAULT_CRITERIA)
    out: list[tuple[str, str]] = []
    for part in text.split(","):
        key, _, question = part.partition("=")
        key = key.strip().lower()
        if not key.replace("_", "").replace("-", "").isalnum():
            raise ParameterError(
                "a criterion needs a short name", got=repr(part), expected="letters, digits, -, _"
            )
        if key in dict(out):
            raise ParameterError("a criterion is listed twice", got=repr(key))
        out.append((key, question.strip() or defaults.get(key, f"{key} (1 worst - 5 best)")))
    if len(out) > 9:
        raise ParameterError("too many criteria", got=str(len(out)), expected="at most 9")
    return out


def parse_methods(text: str | Sequence[str], *, available: Sequence[str]) -> list[str]:
    """Parse ``--methods`` (comma-separated) against the methods available here.

    Parameters
    ----------
    text : str or sequence of str
        E.g. ``"model,bm3d,nlmeans,noisy"``.
    available : sequence of str
        Baselines installed here (``BASELINES`` keys).

    Returns
    -------
    list of str
        Unique method keys, in the order given.

    Raises
    ------
    ParameterError
        Unknown or repeated methods, or BM3D when its package is missing.
    """
    names = [n.strip().lower() for n in (text.split(",") if isinstance(text, str) else text)]
    names = [n for n in names if n]
    known = [*SPECIAL_METHODS, *available]
    out: list[str] = []
    for name in names:
        if name == "bm3d" and name not in available:
            raise ParameterError(
                "BM3D is not installed here",
                got="bm3d",
                fix="pip install 'denoscope[bench]' (non-commercial licence), or leave it out",
            )
        if name not in known:
            raise ParameterError("unknown method", got=repr(name), expected=", ".join(known))
        if name in out:
            raise ParameterError("a method is listed twice", got=repr(name))
        out.append(name)
    if not out:
        raise ParameterError("no methods given", expected="e.g. --methods model,nlmeans,noisy")
    return out


def trial_list(
    n_cases: int, methods: Sequence[str], design: str
) -> list[tuple[int, str, str | None]]:
    """The trials of a study, as ``(case position, method_a, method_b or None)``.

    Parameters
    ----------
    n_cases : int
        Number of cases (positions 0 .. n_cases - 1).
    methods : sequence of str
        The methods compared.
    design : {"likert", "pairwise"}
        Likert: one trial per (case, method); pairwise: one per (case, pair).

    Returns
    -------
    list of tuple
        In case order; each reader sees them in their own seeded order.
    """
    if design not in DESIGNS:
        raise ParameterError("unknown design", got=repr(design), expected=" or ".join(DESIGNS))
    if design == "pairwise" and len(methods) < 2:
        raise ParameterError(
            "a pairwise study needs at least two methods", got=", ".join(methods) or "none"
        )
    trials: list[tuple[int, str, str | None]] = []
    for case in range(n_cases):
        if design == "likert":
            trials += [(case, m, None) for m in methods]
        else:
            trials += [(case, a, b) for a, b in combinations(methods, 2)]
    return trials
