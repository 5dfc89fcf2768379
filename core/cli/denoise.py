"""``denoscope denoise IN -o OUT``: denoise a study file or series folder with a model.

The study is loaded (:func:`denoscope.core.io.load_study`), mapped to [0, 1]
by the modality's normalisation (:mod:`denoscope.core.intensity`; a model card
with a fixed normalisation, such as CT's HU window, is followed), denoised
slice by slice (:func:`denoscope.core.inference.denoise`), mapped back to
modality units and written as 16-bit PNG or as derived DICOM (new UIDs,
ImageType DERIVED, geometry kept, the processing in its description). Every
output path is checked before anything is written: an input is never
overwritten, and an existing output only with ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

FORMATS = {"png": ".png", "dicom": ".dcm"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``denoise`` command."""
    parser = subparsers.add_parser(
        "denoise",
        help="denoise a DICOM/PNG file or a series folder with a model",
        description=(
            "Denoise a study (DICOM or PNG file, or a series folder) with the shipped model "
            "of its modality or a given model file; write 16-bit PNG or derived DICOM."
        ),
    )
    parser.add_argument("input", type=Path, metavar="IN", help="file or series folder")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUT",
        help="output file (one frame, ending .png or .dcm) or folder (one file per frame)",
    )
    parser.add_argument("--modality", default="auto", choices=("auto", "mri", "ct", "xray"))
    parser.add_argument("--model", type=Path, default=None, help="model .safetensors (or .json)")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument(
        "--format",
        choices=tuple(FORMATS),
        default=None,
        help="output format (default: from OUT's suffix, else DICOM for DICOM input, else PNG)",
    )
    parser.add_argument("--series-uid", default=None, help="series to load from a folder")
    parser.add_argument("--tile", type=int, default=512, help="tile size in pixels")
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    parser.set_defaults(func=run)


def _choose_format(args: argparse.Namespace, is_dicom: bool) -> str:
    if args.format:
        return args.format
    for name, suffix in FORMATS.items():
        if args.output.suffix.lower() == suffix:
            return name
    return "dicom" if is_dicom else "png"


def _output_paths(args: argparse.Namespace, n_frames: int, fmt: str) -> list[Path]:
    from denoscope.core.errors import ParameterError

    out = args.output.expanduser()
    suffix = FORMATS[fmt]
    if out.suffix.lower() in (".png", ".dcm"):
        if out.suffix.lower() != suffix:
            raise ParameterError(
                "the output file's suffix does not match the format",
                path=out,
                got=out.suffix,
                expected=suffix,
                fix=f"name the output *{suffix} or pass --format",
            )
        if n_frames > 1:
            raise ParameterError(
                "the study has several frames but the output is one file",
                path=out,
                got=f"{n_frames} frames",
                fix="give a folder as OUT (one file per frame is written there)",
            )
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    stem = args.input.stem if args.input.is_file() else args.input.name
    if n_frames == 1:
        return [out / f"{stem}_denoised{suffix}"]
    return [out / f"{stem}_denoised_{i + 1:04d}{suffix}" for i in range(n_frames)]


def _inputs(study: Any) -> list[Path]:
    paths = [Path(study.source)]
    for dataset in getattr(study, "datasets", ()) or ():
        filename = getattr(dataset, "filename", None)
        if isinstance(filename, str):
            paths.append(Path(filename))
    return paths


def run(args: argparse.Namespace) -> int:
    """Denoise the study and write the outputs; return the exit status."""
    from pydicom.uid import generate_uid
    from tqdm import tqdm

    from denoscope import __version__
    from denoscope.core.checkpoint import load_model
    from denoscope.core.errors import ParameterError
    from denoscope.core.inference import denoise
    from denoscope.core.intensity import Normalization, normalization_for
    from denoscope.core.io import load_study
    from denoscope.core.io.write import check_output, save_derived_dicom, save_png16
    from denoscope.core.model_registry import shipped_model

    study = load_study(args.input, series_uid=args.series_uid)
    modality = study.modality if args.modality == "auto" else args.modality
    if args.model is None:
        if modality not in ("mri", "ct", "xray"):
            raise ParameterError(
                "cannot tell which model to use: the study's modality is unknown",
                path=args.input,
                got=repr(study.modality),
                expected="an MRI, CT or X-ray study",
                fix="pass --modality mri|ct|xray or --model FILE",
            )
        model_path = shipped_model(modality)
    else:
        model_path = args.model
    loaded = load_model(model_path)
    card = loaded.card
    if modality not in ("mri", "ct", "xray") and card.modality != "any":
        modality = card.modality
    if card.modality not in ("any", modality):
        print(
            f"warning: the model was trained for {card.modality}, the study is {modality}",
            file=sys.stderr,
        )

    normalization = None
    if isinstance(card.normalization, dict) and card.normalization.get("kind") == "fixed":
        try:
            normalization = Normalization.model_validate(card.normalization)
        except ValueError:
            normalization = None
    if normalization is None:
        family = modality if modality in ("mri", "ct", "xray") else "unknown"
        normalization = normalization_for(study.frames, family)

    fmt = _choose_format(args, study.is_dicom)
    if fmt == "dicom" and not study.is_dicom:
        raise ParameterError(
            "a derived DICOM needs a DICOM input",
            path=args.input,
            fix="write PNG instead (--format png or an OUT ending in .png)",
        )
    outputs = _output_paths(args, study.n_frames, fmt)
    inputs = _inputs(study)
    for path in outputs:  # refuse before writing anything
        check_output(path, overwrite=args.force, inputs=inputs, overwrite_hint="pass --force")

    arch = card.architecture.arch
    description = (
        f"Denoscope {__version__} denoised: {card.name} ({arch}, weights sha256 "
        f"{card.weights_sha256[:12]}), normalisation {normalization.describe()}"
    )
    data_range = (float(study.frames.min()), float(study.frames.max()))
    if data_range[1] <= data_range[0]:
        data_range = (data_range[0], data_range[0] + 1.0)
    seconds = 0.0
    device = "?"
    notes: set[str] = set()
    bar = tqdm(
        total=study.n_frames,
        unit="slice",
        desc="denoising",
        disable=study.n_frames < 2 or None,
        file=sys.stderr,
    )
    series_uid = generate_uid()  # one derived series for all frames written
    with bar:
        for index, path in enumerate(outputs):
            unit = normalization.to_unit(study.frames[index])
            result = denoise(unit, loaded, device=args.device, tile=args.tile)
            seconds += result.seconds
            device = result.device
            if result.note:
                notes.add(result.note)
            units = normalization.from_unit(result.image)
            if fmt == "dicom":
                save_derived_dicom(
                    path,
                    study,
                    index,
                    units,
                    description=description,
                    series_uid=series_uid,
                    overwrite=args.force,
                )
            else:
                save_png16(path, units, data_range=data_range, overwrite=args.force, inputs=inputs)
            bar.update(1)
    for note in sorted(notes):
        print(f"note: {note}", file=sys.stderr)
    where = outputs[0] if len(outputs) == 1 else outputs[0].parent
    print(
        f"denoised {study.n_frames} frame(s) with {card.name} ({arch}) on {device} in "
        f"{seconds:.2f} s -> {where} ({fmt})"
    )
    return 0
