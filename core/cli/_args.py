"""Typed argument validators for every command: reject at parse time, exit 2, one line.

Each function is an argparse ``type=``: it converts the text or raises
:class:`argparse.ArgumentTypeError` with what was wrong and what is accepted.
The root parser (:mod:`denoscope.cli`) prints that as one line and exits 2.
"""

from __future__ import annotations

import argparse
import math

#: Largest seed numpy's generators take from the command line (64-bit unsigned).
MAX_SEED = 2**64 - 1


def _number(text: str, kind: type) -> float | int:
    try:
        return kind(text)
    except (TypeError, ValueError):
        name = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {name}, got {text!r}") from None


def finite_float(text: str) -> float:
    """A finite number (no NaN, no infinity)."""
    value = float(_number(text, float))
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0."""
    value = finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0."""
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0 (a frame index, a count)."""
    value = int(_number(text, int))
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


def seed(text: str) -> int:
    """A random seed: an integer from 0 to 2**64 - 1."""
    value = int(_number(text, int))
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to 2**64-1, got {text!r}")
    return value


def tile_size(text: str) -> int:
    """A tile size in pixels, 8 to 16384."""
    value = int(_number(text, int))
    if not 8 <= value <= 16384:
        raise argparse.ArgumentTypeError(f"expected a tile size of 8-16384 px, got {text!r}")
    return value


def memory_size(text: str) -> int:
    """A memory size (``512M``, ``4G``, bytes), at least 1 MiB."""
    from denoscope.core.errors import ParameterError
    from denoscope.core.io.limits import parse_size

    try:
        return parse_size(text)
    except ParameterError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_max_memory(parser: argparse.ArgumentParser) -> None:
    """Add ``--max-memory SIZE`` (the study memory limit) to a command's parser."""
    parser.add_argument(
        "--max-memory",
        type=memory_size,
        default=None,
        metavar="SIZE",
        help="refuse a study whose decoding would need more memory than SIZE "
        "(e.g. 512M, 4G; default 1G or $DENOSCOPE_MAX_STUDY_BYTES)",
    )


#: Integer options that must be at least 1 (counts and sizes); every other int is >= 0.
_POSITIVE_INTS = frozenset(
    {"epochs", "steps", "batch", "patch", "threads", "bootstrap", "val_images", "repeats"}
)
#: Float options that must be >= 0 (levels, rates, strengths, times); others only finite.
_NON_NEGATIVE_FLOATS = frozenset(
    {"level", "lr", "weight_decay", "max_minutes", "strength", "timeout", "sigma"}
)


def validator_for(dest: str, kind: type) -> object:
    """Return the validator for an option declared ``type=int`` or ``type=float``."""
    if kind is float:
        return non_negative_float if dest in _NON_NEGATIVE_FLOATS else finite_float
    if dest == "seed":
        return seed
    if dest == "tile":
        return tile_size
    return positive_int if dest in _POSITIVE_INTS else non_negative_int


def harden(parser: argparse.ArgumentParser) -> None:
    """Give every plain ``int``/``float`` option of a parser tree a typed validator.

    Commands declare ``type=int`` or ``type=float``; here each becomes the
    validator of :func:`validator_for` (NaN, infinity, negative seeds and
    negative counts are refused at parse time), so no command can forget one.
    """
    for action in parser._actions:
        if action.type in (int, float):
            action.type = validator_for(action.dest, action.type)
        if isinstance(action, argparse._SubParsersAction):
            for sub in set(action.choices.values()):
                harden(sub)
