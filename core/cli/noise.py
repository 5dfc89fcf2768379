"""``denoscope noise IN --model NAME --level L --seed S -o OUT``: simulate noise on a study.

The input is loaded with :func:`denoscope.core.io.load_study`, one frame is mapped
to [0, 1] (PNG by its bit depth; DICOM by the modality rule of
:mod:`denoscope.core.intensity`, e.g. the fixed HU window for CT), the registered
noise model (:data:`denoscope.core.noise.NOISE_MODELS`) is applied with a seed,
and the result is written as a 16-bit PNG of the [0, 1] image (0 -> 0,
1 -> 65535), or, for an ``.dcm`` output from a DICOM input, as a derived DICOM
in modality units, marked SYNTHETIC (ImageComments, DerivationDescription) and
filed in a new study unless ``--same-study``. Existing files are never replaced
without ``--force``, and an input is never written onto.
"""

from __future__ import annotations

import argparse

_MODELS = ("gaussian", "gaussian-report1", "poisson", "rician", "lowdose-ct", "xray")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``noise`` command."""
    parser = subparsers.add_parser(
        "noise",
        help="add simulated noise (Gaussian, Poisson, Rician, low-dose CT, X-ray) to an image",
        description=(
            "Add seeded, simulated noise to one frame of a DICOM or PNG study and save it "
            "as a 16-bit PNG (or a derived DICOM for a .dcm output). Levels and units: "
            "gaussian σ in [0,1] units (default 0.1); gaussian-report1 fixed "
            "clip(x + 0.3·N(0,1.5)); poisson photons at full scale (100); rician σ as a "
            "fraction of the max (0.05); lowdose-ct dose fraction (0.25); xray photons per "
            "pixel I0 (1000)."
        ),
    )
    parser.add_argument("input", metavar="IN", help="DICOM file/folder or PNG")
    parser.add_argument(
        "--model", default="gaussian", choices=_MODELS, help="noise model (default gaussian)"
    )
    parser.add_argument(
        "--level",
        type=float,
        default=None,
        help="noise level in the model's unit (default: the model's default for the modality)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="output .png (or .dcm for DICOM input)"
    )
    parser.add_argument("--frame", type=int, default=0, help="frame (slice) index (default 0)")
    parser.add_argument(
        "--series", metavar="UID", help="SeriesInstanceUID in a multi-series folder"
    )
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    parser.add_argument(
        "--same-study",
        action="store_true",
        help="a .dcm output joins the source's study (default: a new study, as the image "
        "is synthetic; it is marked SYNTHETIC either way)",
    )
    parser.add_argument(
        "--anonymize",
        action="store_true",
        help="a .dcm output is de-identified (DICOM PS3.15 basic profile, new UIDs)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load, normalise, add noise, save; print a one-line summary."""
    import sys
    from pathlib import Path

    from pydicom.uid import generate_uid

    from denoscope.core.cli.metrics import study_normalization, unit_frame
    from denoscope.core.errors import ParameterError
    from denoscope.core.io import load_study
    from denoscope.core.io.write import check_output, save_derived_dicom, save_png16
    from denoscope.core.metrics import psnr
    from denoscope.core.noise import get_noise_model
    from denoscope.core.privacy import UidMap

    model = get_noise_model(args.model)
    output = Path(args.output)
    dicom_out = output.suffix.lower() == ".dcm"
    if output.suffix.lower() not in (".png", ".dcm"):
        raise ParameterError(
            "unsupported output type", path=output, expected="a .png or .dcm file name"
        )
    check_output(output, overwrite=args.force, inputs=[args.input], overwrite_hint="pass --force")
    study = load_study(args.input, series_uid=args.series)
    if dicom_out and not study.is_dicom:
        raise ParameterError(
            "a .dcm output needs a DICOM input", path=output, fix="Write a .png instead"
        )
    normalization = study_normalization(study)
    clean = unit_frame(study, args.frame, normalization)
    level = model.default_level(study.modality) if args.level is None else args.level
    if model.name == "lowdose-ct" and study.modality != "ct":
        print(
            f"warning: lowdose-ct simulates CT physics on the fixed HU window; this study is "
            f"{study.modality!r}, so the result is not a physical low-dose image",
            file=sys.stderr,
        )
    spacing = study.pixel_spacing
    pixel_size = None if spacing is None else float(sum(spacing) / 2.0)
    noisy = model.apply(clean, level, rng=args.seed, pixel_size_mm=pixel_size)
    if dicom_out:
        description = f"denoscope noise {model.name} level {level:g} seed {args.seed}"
        written = save_derived_dicom(
            output,
            study,
            args.frame,
            normalization.from_unit(noisy),
            description=description,
            overwrite=args.force,
            synthetic=True,
            study_uid=None if args.same_study else generate_uid(),
            anonymize=UidMap() if args.anonymize else None,
        )
    else:
        written = save_png16(output, noisy, overwrite=args.force, inputs=[args.input])
    print(
        f"wrote {written}: {model.name} level {level:g} ({model.unit}), seed {args.seed}, "
        f"frame {args.frame}; normalization {normalization.describe()}; "
        f"psnr vs clean {psnr(clean, noisy, data_range=1.0):.2f} dB"
    )
    return 0
