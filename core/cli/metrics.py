"""``denoscope metrics REFERENCE TEST``: every quality metric of TEST against REFERENCE.

Both inputs are loaded with :func:`denoscope.core.io.load_study` and mapped to
[0, 1] before any metric (``data_range=1``):

* a PNG or TIFF by the full scale of its sample format (:attr:`Study.stored_range`:
  16-bit 0-65535, 1-bit PNG 0-1, 12-bit TIFF 0-4095, else 0-255), so a 16-bit PNG
  written by ``denoscope noise`` reads back exactly; a float TIFF by its own
  percentiles;
* a DICOM by the review pipeline's rule
  (:func:`denoscope.core.review.prepare_study`, the same as ``denoise`` and the
  viewer): the fixed HU window for CT, otherwise the robust percentiles of the
  *reference* study (applied unchanged to a DICOM test image, so both share
  one scale).

Output: one ``NAME value`` line per metric of the metric table
(:data:`denoscope.core.metrics.METRICS`, its order and number formats) on
stdout (``psnr inf`` for identical images, ``lpips unavailable`` without
weights); the normalisations go to stderr.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from denoscope.core.intensity import Normalization
    from denoscope.core.io import Study


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``metrics`` command."""
    parser = subparsers.add_parser(
        "metrics",
        help="print PSNR, SSIM, MSE, MAE, GMSD and LPIPS of TEST against REFERENCE",
        description=(
            "Compare TEST with REFERENCE (DICOM or PNG, same size) on [0, 1] images "
            "(data_range 1) and print one 'NAME value' line per metric. PNGs are scaled by "
            "their bit depth; DICOM by the modality rule (CT: fixed HU window; others: "
            "percentiles of the reference)."
        ),
    )
    parser.add_argument("reference", metavar="REFERENCE", help="the clean image (file or folder)")
    parser.add_argument("test", metavar="TEST", help="the image to score (file or folder)")
    parser.add_argument(
        "--frame", type=int, default=0, help="frame (slice) index in both studies (default 0)"
    )
    parser.add_argument("--no-lpips", action="store_true", help="skip LPIPS (faster)")
    parser.add_argument(
        "--device", default="cpu", choices=["cpu", "cuda"], help="device for LPIPS (default cpu)"
    )
    parser.set_defaults(func=run)


def study_normalization(study: Study, *, reference: Normalization | None = None) -> Normalization:
    """The [0, 1] mapping of a study for the CLI (see the module docstring).

    Parameters
    ----------
    study : Study
        A loaded study.
    reference : Normalization, optional
        The reference's DICOM normalisation, reused for a DICOM test study.

    Returns
    -------
    Normalization
    """
    from denoscope.core.intensity import Normalization
    from denoscope.core.review import prepare_study

    if not study.is_dicom:
        if study.stored_range is None:  # float TIFF: no fixed scale, its own percentiles
            return prepare_study(study).normalization
        low, high = study.stored_range  # the file's sample format (PNG bit depth, TIFF bits)
        return Normalization(kind="fixed", low=low, high=high, modality=study.modality)
    if reference is not None:
        return reference
    return prepare_study(study).normalization


def unit_frame(study: Study, frame: int, normalization: Normalization) -> np.ndarray:
    """Frame ``frame`` of ``study`` mapped to float32 [0, 1] (ParameterError if out of range)."""
    from denoscope.core.errors import ParameterError

    if not 0 <= frame < study.n_frames:
        raise ParameterError(
            "frame index out of range",
            path=study.source,
            got=str(frame),
            expected=f"0 to {study.n_frames - 1}",
        )
    return normalization.to_unit(study.frames[frame])


def run(args: argparse.Namespace) -> int:
    """Load both studies, normalise, compute and print the metrics."""
    import sys

    from denoscope.core.errors import ParameterError
    from denoscope.core.io import load_study
    from denoscope.core.metrics import METRIC_KEYS, compute_metrics

    reference = load_study(args.reference)
    test = load_study(args.test)
    if reference.shape != test.shape:
        raise ParameterError(
            "REFERENCE and TEST have different sizes",
            got=f"{args.reference}: {reference.shape[0]}x{reference.shape[1]}, "
            f"{args.test}: {test.shape[0]}x{test.shape[1]} (rows x cols)",
            expected="two images of the same size",
            fix="Compare an image with its own noisy or denoised version",
        )
    ref_norm = study_normalization(reference)
    test_norm = study_normalization(test, reference=ref_norm if reference.is_dicom else None)
    ref01 = unit_frame(reference, args.frame, ref_norm)
    test01 = unit_frame(test, args.frame, test_norm)
    result = compute_metrics(
        ref01, test01, data_range=1.0, lpips=not args.no_lpips, device=args.device
    )
    for name in METRIC_KEYS:
        print(f"{name} {result.format(name)}")
    print(f"reference normalization: {ref_norm.describe()}", file=sys.stderr)
    print(f"test normalization: {test_norm.describe()}", file=sys.stderr)
    if result.lpips is None and not args.no_lpips:
        print(f"lpips: {result.lpips_note}", file=sys.stderr)
    return 0
