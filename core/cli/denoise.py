"""``denoscope denoise IN -o OUT``: denoise a study file or series folder with a model.

Every decision is the core review pipeline's (:mod:`denoscope.core.review`),
the same as the viewer's: the study's modality (``--modality`` overrides the
file's), its normalisation (fixed HU window for DICOM CT, else the study's
robust percentiles; a model card never imposes its HU window on other
values), the model (``--model`` or the modality's shipped one), the
modality-mismatch warning, and the noise-level map times ``--strength`` for
networks that take one. Each slice is reviewed as real input
(:func:`~denoscope.core.review.review_slice`) and written as a 16-bit PNG of
the [0, 1] image or as derived DICOM in modality units (new UIDs, ImageType
DERIVED, geometry kept, the processing in its description). Derived DICOM
keeps the patient and study identity unless ``--anonymize`` applies the
privacy policy's PS3.15 basic profile (:mod:`denoscope.core.privacy`).
``--json`` writes the provenance record of every slice (no identifying data).
Every output path is checked before anything is written: an input is never
overwritten, and an existing output only with ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from denoscope.core.modality import MODEL_MODALITIES

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
    parser.add_argument(
        "--modality",
        default="auto",
        choices=["auto", *(str(m) for m in MODEL_MODALITIES)],
        help="the study's modality (default: from the file); picks the shipped model",
    )
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
    parser.add_argument(
        "--strength",
        type=float,
        default=1.0,
        help="multiplies the noise level given to a model that takes one (default 1)",
    )
    parser.add_argument(
        "--anonymize",
        action="store_true",
        help="derived DICOM: apply the DICOM PS3.15 basic de-identification profile, new UIDs",
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="OUT.json", help="write the provenance record"
    )
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="complete an interrupted series: keep the slice files that exist, write the rest",
    )
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
    from denoscope.core.io.outputs import numbered_paths
    from denoscope.core.io.series_progress import check_folder_name, prepare_output_folder

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
    check_folder_name(out, tuple(FORMATS.values()))
    prepare_output_folder(out)
    stem = args.input.stem if args.input.is_file() else args.input.name
    return numbered_paths(out / f"{stem}_denoised{suffix}", n_frames)


def _inputs(study: Any) -> list[Path]:
    paths = [Path(study.source)]
    for dataset in getattr(study, "datasets", ()) or ():
        filename = getattr(dataset, "filename", None)
        if isinstance(filename, str):
            paths.append(Path(filename))
    return paths


def run(args: argparse.Namespace) -> int:
    """Denoise the study and write the outputs; return the exit status."""
    import json

    import numpy as np
    from pydicom.uid import generate_uid
    from tqdm import tqdm

    from denoscope.core.errors import ParameterError
    from denoscope.core.io.outputs import check_output, check_outputs, write_text
    from denoscope.core.io.series_progress import (
        existing_series_uid,
        pending_outputs,
        resume_conflict,
        series_report,
    )
    from denoscope.core.io.write import save_derived_dicom, save_png16
    from denoscope.core.privacy import UidMap
    from denoscope.core.review import (
        ReviewParams,
        derived_description,
        load_model_cached,
        model_path_for,
        open_study,
        provenance,
        review_slice,
    )

    if not (np.isfinite(args.strength) and args.strength >= 0):
        raise ParameterError(
            "--strength must be a finite number >= 0", got=str(args.strength), expected="e.g. 1"
        )
    review = open_study(args.input, series_uid=args.series_uid, modality=args.modality)
    study = review.study
    model_path = model_path_for(review.modality, args.model)
    loaded = load_model_cached(model_path)  # typed errors before anything is written
    params = ReviewParams(
        modality=review.modality if review.modality.has_model else loaded.card.modality,
        model_path=model_path,
        device=args.device,
        baseline=None,
        real_input=True,
        strength=float(args.strength),
    )

    fmt = _choose_format(args, study.is_dicom)
    if fmt == "dicom" and not study.is_dicom:
        raise ParameterError(
            "a derived DICOM needs a DICOM input",
            path=args.input,
            fix="write PNG instead (--format png or an OUT ending in .png)",
        )
    if args.anonymize and fmt != "dicom":
        print("note: --anonymize applies to DICOM; PNG output carries no identity", file=sys.stderr)
    resume_conflict(args.resume, args.force)
    outputs = _output_paths(args, study.n_frames, fmt)
    inputs = _inputs(study)
    pending = pending_outputs(outputs, resume=args.resume)
    if args.resume and len(pending) < len(outputs):
        kept = len(outputs) - len(pending)
        print(f"note: --resume keeps {kept} complete slice file(s)", file=sys.stderr)
    check_outputs(pending, overwrite=args.force, inputs=inputs, overwrite_hint="pass --force")
    if args.json is not None:
        check_output(args.json, overwrite=args.force, inputs=inputs, overwrite_hint="pass --force")

    seconds = 0.0
    device = "?"
    notes: list[str] = []
    records: list[dict[str, Any]] = []
    bar = tqdm(
        total=study.n_frames,
        unit="slice",
        desc="denoising",
        disable=study.n_frames < 2 or None,
        file=sys.stderr,
    )
    series_uid = generate_uid()  # one derived series for all frames written
    if fmt == "dicom" and len(pending) < len(outputs):
        series_uid = existing_series_uid(outputs, pending) or series_uid
    uids = UidMap() if args.anonymize else None
    todo = set(pending)
    with bar, series_report(outputs):
        for index, path in enumerate(outputs):
            if path not in todo:  # --resume: a complete file from an earlier run
                bar.update(1)
                continue
            result = review_slice(review, index, params, tile=args.tile)
            record = provenance(review, result)
            records.append(record)
            seconds += result.seconds or 0.0
            device = result.device or device
            for note in [*result.notes, result.device_note]:
                if note and note not in notes:
                    notes.append(note)
            if fmt == "dicom":
                save_derived_dicom(
                    path,
                    study,
                    index,
                    result.normalization.from_unit(result.denoised01),
                    description=derived_description(record),
                    series_uid=series_uid,
                    overwrite=args.force,
                    anonymize=uids,
                )
            else:
                save_png16(path, result.denoised01, overwrite=args.force, inputs=inputs)
            bar.update(1)
    if args.json is not None:
        text = json.dumps({"slices": records}, indent=2, ensure_ascii=False) + "\n"
        write_text(args.json, text, overwrite=args.force)
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    where = outputs[0] if len(outputs) == 1 else outputs[0].parent
    name = loaded.card.name
    arch = loaded.card.architecture.arch
    print(
        f"denoised {study.n_frames} frame(s) with {name} ({arch}) on {device} in "
        f"{seconds:.2f} s -> {where} ({fmt})"
    )
    return 0
