"""``denoscope info PATH``: describe a study without opening the viewer."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``info`` command to the ``denoscope`` parser."""
    parser = subparsers.add_parser(
        "info",
        help="describe a DICOM/PNG study: modality, series, frames, size, spacing, window",
        description=(
            "Print a study's modality, series, frame count, frame size, pixel spacing, "
            "suggested window, transfer syntax and intensity normalisation. A folder "
            "holding several series lists them; choose one with --series."
        ),
    )
    parser.add_argument("path", help="DICOM file, DICOMDIR, PNG file, or folder of either")
    parser.add_argument("--series", metavar="UID", help="SeriesInstanceUID to describe")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument(
        "--tags",
        action="store_true",
        help="also print the header, identifying fields marked with '*'",
    )
    parser.set_defaults(func=run)


def _spacing(value: tuple[float, float] | None) -> str:
    return "unknown" if value is None else f"{value[0]:g} x {value[1]:g} mm (row x col)"


def run(args: argparse.Namespace) -> int:
    """Run ``denoscope info``; typed errors propagate to the root CLI (exit 2)."""
    from denoscope.core.intensity import normalization_for
    from denoscope.core.io import list_series, load_study

    if args.series is None:
        infos = list_series(args.path)
        if len(infos) > 1:
            if args.json:
                rows = [
                    {k: v for k, v in vars(i).items() if k != "files"} | {"files": len(i.files)}
                    for i in infos
                ]
                print(json.dumps({"path": str(args.path), "series": rows}, indent=2))
                return 0
            print(f"{args.path}: {len(infos)} series (choose one with --series UID)")
            for info in infos:
                print(
                    f"  {info.series_uid}  {info.dicom_modality or '?':3s} {info.modality:7s} "
                    f"{info.n_frames:4d} frame(s) {info.rows}x{info.columns}  {info.description}"
                )
            return 0
    study = load_study(args.path, series_uid=args.series)
    norm = normalization_for(study.frames, study.modality)
    rows, cols = study.shape
    summary = {
        "path": str(study.source),
        "modality": study.modality,
        "dicom_modality": study.dicom_modality,
        "series_uid": study.series_uid,
        "description": study.description,
        "frames": study.n_frames,
        "rows": rows,
        "columns": cols,
        "pixel_spacing_mm": list(study.pixel_spacing) if study.pixel_spacing else None,
        "window": {"center": study.window[0], "width": study.window[1]},
        "transfer_syntax": study.transfer_syntax,
        "min": float(study.frames.min()),
        "max": float(study.frames.max()),
        "normalization": norm.model_dump(),
    }
    if args.json:
        if args.tags:
            summary["tags"] = [vars(row) for row in study.metadata]
        print(json.dumps(summary, indent=2))
        return 0
    unit = f" {study.units}" if study.units else ""
    dicom = f" (DICOM {study.dicom_modality})" if study.dicom_modality else ""
    lines = [
        ("path", str(study.source)),
        ("modality", f"{study.modality}{dicom}"),
        ("series", f"{study.series_uid or '-'}  {study.description}"),
        ("frames", str(study.n_frames)),
        ("size", f"{rows} x {cols} (rows x cols)"),
        ("spacing", _spacing(study.pixel_spacing)),
        ("window", f"center {study.window[0]:g}, width {study.window[1]:g}{unit}"),
        ("transfer syntax", study.transfer_syntax or "- (not DICOM)"),
        ("values", f"min {summary['min']:g}, max {summary['max']:g}{unit}"),
        ("normalization", norm.describe()),
    ]
    for key, value in lines:
        print(f"{key + ':':17s}{value}")
    if args.tags:
        print()
        for row in study.metadata:
            mark = "*" if row.identifying else " "
            print(f"{mark} {row.tag:30s} {row.vr:2s} {row.keyword:32s} {row.value}")
    return 0
