"""``denoscope study create|report`` (and ``read``, added by :mod:`denoscope.app.study.cli`).

``create`` computes every method's output for every case once and stores it in
one ``.denostudy`` file; ``report`` writes the statistics as a self-contained
HTML file and the answers as CSV. ``read`` opens the blinded reading window;
it needs Qt, so its parser is registered by the app package on the
``study_commands`` attribute this module leaves on the ``study`` parser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``study`` command with its ``create`` and ``report`` subcommands."""
    parser = subparsers.add_parser(
        "study",
        help="blinded reader study: create, read, report",
        description=(
            "A blinded reader study: radiologists rate denoised images without knowing the "
            "method; the report gives honest statistics."
        ),
    )
    commands = parser.add_subparsers(dest="study_command", metavar="STEP", required=True)
    parser.study_commands = commands  # the app adds `read` here

    create = commands.add_parser(
        "create",
        help="compute every method's output once and store the study",
        description=(
            "Create a study file: each case (file or series folder in DIR; its middle frame) "
            "is noised once and denoised by every method; outputs are stored losslessly with "
            "everything needed to reproduce them. Source images are only read."
        ),
    )
    create.add_argument("--cases", type=Path, required=True, metavar="DIR")
    create.add_argument(
        "--methods",
        required=True,
        metavar="LIST",
        help="comma-separated: model, noisy and baselines (nlmeans, bm3d, median, ...)",
    )
    create.add_argument(
        "--model", type=Path, metavar="FILE", help="model file (default: each case's shipped one)"
    )
    create.add_argument(
        "--modality",
        choices=("auto", "mri", "ct", "xray"),
        default="auto",
        help="review every case as this modality (default: each case's own; PNG is unknown)",
    )
    create.add_argument(
        "--noise",
        default="gaussian",
        metavar="NAME[:LEVEL]",
        help="noise model and level (default: gaussian at the modality's default)",
    )
    create.add_argument("--design", choices=("likert", "pairwise"), default="likert")
    create.add_argument(
        "--criteria",
        metavar="LIST",
        help="Likert criteria, comma-separated key or key=question "
        "(default: overall, noise, sharpness, artefacts, confidence)",
    )
    create.add_argument(
        "--with-reference", action="store_true", help="show the clean image as reference"
    )
    create.add_argument("--seed", type=int, default=0, help="noise and reading-order seed")
    create.add_argument("--no-lpips", action="store_true", help="skip LPIPS (faster)")
    create.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    create.add_argument("-o", "--output", type=Path, required=True, metavar="STUDY.denostudy")
    create.add_argument("--force", action="store_true", help="replace an existing study file")
    create.set_defaults(func=run_create)

    report = commands.add_parser(
        "report",
        help="statistics as a self-contained HTML report and a CSV",
        description=(
            "Analyse a study: mean ratings with bootstrap CIs, paired Wilcoxon tests with Holm "
            "correction, preference rates with Wilson CIs, inter-reader agreement, and how "
            "PSNR, SSIM, LPIPS and GMSD correlate with the readers."
        ),
    )
    report.add_argument("study", type=Path, metavar="STUDY")
    report.add_argument("--html", type=Path, metavar="OUT.html")
    report.add_argument("--csv", type=Path, metavar="OUT.csv", help="one row per answer")
    report.add_argument("--bootstrap", type=int, default=9999, metavar="N", help="resamples")
    report.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    report.add_argument("--force", action="store_true", help="replace existing outputs")
    report.set_defaults(func=run_report)


def _noise(text: str) -> tuple[str, float | None]:
    from denoscope.core.errors import ParameterError
    from denoscope.core.noise import get_noise_model

    name, _, level = text.partition(":")
    get_noise_model(name)
    if not level:
        return name, None
    try:
        return name, float(level)
    except ValueError:
        raise ParameterError("the noise level is not a number", got=repr(level)) from None


def run_create(args: argparse.Namespace) -> int:
    """Create the study file; returns the exit status."""
    from tqdm import tqdm

    from denoscope.core.devices import resolve_device
    from denoscope.core.study import StudySpec, create_study
    from denoscope.core.study.design import parse_criteria

    name, level = _noise(args.noise)
    spec = StudySpec(
        cases=args.cases,
        methods=args.methods.split(","),
        design=args.design,
        noise=name,
        level=level,
        seed=args.seed,
        model=args.model,
        with_reference=args.with_reference,
        criteria=parse_criteria(args.criteria),
        lpips=not args.no_lpips,
        device=str(resolve_device(args.device)[0]) if args.device == "auto" else args.device,
        modality=None if args.modality == "auto" else args.modality,
    )
    with tqdm(unit="case", desc="creating study", file=sys.stderr) as bar:

        def progress(done: int, total: int, _what: str) -> None:
            bar.total = total
            bar.update(done - bar.n)

        out = create_study(spec, args.output, overwrite=args.force, progress=progress)
    print(f"wrote {out}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Write the HTML report and/or CSV; returns the exit status."""
    from denoscope.core.errors import ParameterError
    from denoscope.core.study.report import write_report

    if args.html is None and args.csv is None:
        raise ParameterError("nothing to write", fix="pass --html OUT.html and/or --csv OUT.csv")
    if args.bootstrap < 100:
        raise ParameterError(
            "too few bootstrap resamples", got=str(args.bootstrap), expected=">= 100"
        )
    report = write_report(
        args.study,
        html_out=args.html,
        csv_out=args.csv,
        overwrite=args.force,
        n_boot=args.bootstrap,
        seed=args.seed,
    )
    s = report.summary
    print(
        f"{s['design']} study: {s['cases']} cases, {s['readers']} reader(s), {s['answers']} answers"
    )
    for path in (args.html, args.csv):
        if path is not None:
            print(f"wrote {path}")
    return 0
