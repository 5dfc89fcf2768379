"""The lesion-range options shared by ``denoscope trust`` and ``denoscope evaluate --lesions``."""

from __future__ import annotations

import argparse


def add_lesion_range_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--lesion-radius MIN,MAX`` (px) and ``--lesion-contrast MIN,MAX`` (x local σ)."""
    parser.add_argument(
        "--lesion-radius",
        default="2,8",
        metavar="MIN,MAX",
        help="disc radius range in pixels (default 2,8)",
    )
    parser.add_argument(
        "--lesion-contrast",
        default="0.5,3",
        metavar="MIN,MAX",
        help="disc contrast range in multiples of the local noise sigma (default 0.5,3; "
        "a single value such as 0.35,0.35 fixes it)",
    )


def lesion_ranges(args: argparse.Namespace) -> tuple[tuple[int, int], tuple[float, float]]:
    """Parse the two options into ((r_min, r_max), (c_min, c_max)).

    Raises
    ------
    ParameterError
        If an option is not two numbers ``MIN,MAX`` with ``0 < MIN <= MAX`` (radius: integers >= 1).
    """
    from denoscope.core.errors import ParameterError

    def pair(text: str, option: str, kind: type) -> tuple:
        try:
            low, high = (kind(v) for v in text.split(","))
        except ValueError:
            raise ParameterError(
                f"{option} takes MIN,MAX", got=repr(text), expected="e.g. 2,8"
            ) from None
        if not 0 < low <= high:
            raise ParameterError(f"{option} needs 0 < MIN <= MAX", got=repr(text))
        return low, high

    return (
        pair(args.lesion_radius, "--lesion-radius", int),
        pair(args.lesion_contrast, "--lesion-contrast", float),
    )
