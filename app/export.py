"""Export: comparison screenshots with their JSON sidecar, denoised images, metrics CSV.

A comparison screenshot is the image panes with, burned in below them, the
provenance (model, noise model and level, seed, window, normalisation, device)
and the metrics table; the JSON sidecar beside it carries the same facts.
The record is the core review pipeline's
(:func:`denoscope.core.review.provenance`) plus what the viewer shows (window,
difference mode), so the CLI and the viewer describe a result alike. By the
privacy policy (:mod:`denoscope.core.privacy`) neither carries identifying
text (names, IDs, dates, UIDs, file names, descriptions) unless
``identifying=True``, which adds only the patient's name, ID and study date.
Every path goes through core's one output check
(:func:`denoscope.core.io.outputs.check_outputs`): nothing is overwritten
unless ``overwrite=True`` (the window asks first), and an input never.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QWidget

from denoscope.app.pipeline import METRIC_COLUMNS, metric_table
from denoscope.app.state import DIFF_MODES, ViewerState
from denoscope.core.metrics.table import METRIC_KEYS, format_metric


def grab_window(widget: QWidget, out: Path) -> Path:
    """Save a picture of ``widget`` (as rendered, offscreen included) to ``out``, atomically.

    The caller has checked ``out`` with core's output check (``view --screenshot``
    refuses an existing file without ``--force``); the file is replaced whole.

    Raises
    ------
    OSError
        When the picture cannot be encoded.
    denoscope.core.errors.OutputWriteError
        When the file cannot be written (read-only folder, full disk).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_png(widget.grab().toImage(), out, overwrite=True)
    return out


def sidecar_path(png: Path) -> Path:
    """The JSON sidecar of a screenshot: same name, ``.json``."""
    return Path(png).with_suffix(".json")


def check_writable(*paths: Path, overwrite: bool = False, inputs: tuple = ()) -> None:
    """Core's one output check for every path of an export, before anything is written.

    Raises
    ------
    OutputExistsError
        A path exists and ``overwrite`` is False, or it is an input.
    ParameterError
        A path is a folder or its folder does not exist.
    """
    from denoscope.core.io.outputs import check_outputs

    for path in paths:
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    check_outputs(
        paths,
        overwrite=overwrite,
        inputs=inputs,
        overwrite_hint="confirm that it may be replaced",
    )


def provenance(state: ViewerState, *, identifying: bool = False) -> dict[str, Any]:
    """Everything needed to reproduce and judge the shown comparison.

    Parameters
    ----------
    state : ViewerState
        The viewer's state, with a result.
    identifying : bool
        Add the patient's name, ID and the study date (off by default; the
        privacy policy allows nothing else).

    Returns
    -------
    dict
        :func:`denoscope.core.review.provenance` plus ``window`` and ``difference``.
    """
    from denoscope.core.review import provenance as review_provenance

    result, loaded, params = state.result, state.study, state.params
    if result is None or loaded is None:
        raise ValueError("nothing to export: no result is shown")
    record = review_provenance(loaded, result, lpips=state.lpips, identifying=identifying)
    record["window"] = {"center": state.window[0], "width": state.window[1], "unit": loaded.unit}
    record["difference"] = DIFF_MODES["residual" if params.real_input else state.diff_mode]
    trust = getattr(
        state, "trust_record", None
    )  # set by the Trust panel: maps and lesion test shown
    record["trust"] = trust() if callable(trust) else None
    return record


def caption_lines(record: dict[str, Any]) -> list[str]:
    """The text burned into a comparison screenshot, from a provenance record."""
    study, model, window = record["study"], record["model"], record["window"]
    lines = [
        f"Denoscope {record['denoscope_version']} · {study['modality'].upper()} · slice "
        f"{study['slice'] + 1}/{study['n_frames']} · {study['shape'][0]}×{study['shape'][1]}",
    ]
    if record.get("modality_warning"):
        lines.append(f"⚠ {record['modality_warning']}")
    if "downsampled" in str(record.get("lpips_computed_on") or ""):
        lines.append(str(record["lpips_computed_on"]))
    stacked = study.get("stacked_from_series") or []
    if stacked:
        lines.append(
            f"Stack of {len(stacked)} single-frame series, sorted by position along the "
            "slice normal, then InstanceNumber, then file name"
        )
    patient = record.get("patient") if record.get("identifying_information_included") else None
    if patient:
        lines.append(
            "Patient: " + " · ".join(f"{key} {value}" for key, value in patient.items() if value)
        )
    noise = record["noise"]
    if noise is None:
        lines.append("Real input: no synthetic noise, no ground truth")
    else:
        lines.append(
            f"Noise: {noise['label']} level {noise['level']:.4g} {noise['unit']} · seed {noise['seed']}"
            f" · strength {record.get('strength', 1.0):g}"
        )
    device = record["device"]
    seconds = record["inference_seconds"]
    lines.append(
        f"Model: {model['name'] or 'none'} ({model['file'] or 'no file'}) · device {device['used']}"
        + (f" · {seconds * 1000:.0f} ms" if seconds is not None else "")
    )
    lines.append(
        f"Window: center {window['center']:.1f}, width {window['width']:.1f} {window['unit']} · "
        f"difference {record['difference']} · normalisation {record['normalization']['kind']} "
        f"[{record['normalization']['low']:g}, {record['normalization']['high']:g}] → [0, 1]"
    )
    lines += _trust_caption(record.get("trust"))
    header = f"{'':24}" + "".join(f"{label:>13}" for _k, label, _h in METRIC_COLUMNS)
    if record["metrics"]:
        lines.append(header)
    for row in record["metrics"]:
        cells = []
        for key, _label, _higher in METRIC_COLUMNS:
            value = row.get(key)
            cells.append(f"{format_metric(key, value, signed=row['row'].startswith('delta')):>13}")
        lines.append(f"{row['label'][:24]:24}" + "".join(cells))
    for name, value in record["no_reference"].items():
        lines.append(f"Estimated σ ({name}): {value:.4f}")
    return lines


def _trust_caption(trust: dict[str, Any] | None) -> list[str]:
    """Caption lines for the trust map and lesion test shown (none when nothing is shown)."""
    if not trust:
        return []
    lines = []
    shown = trust.get("map")
    if shown:
        where = "overlay on denoised" if shown["shown"] == "denoised" else "in the difference pane"
        lines.append(
            f"Trust map: {shown['label']} ({shown['unit']}), {where}, opacity {shown['opacity']:.0%}"
        )
    lesions = trust.get("lesion_test")
    if lesions:
        model = lesions["methods"].get("model", {})
        lines.append(
            f"Lesion test: {len(lesions['lesions'])} discs · model keeps "
            f"{model.get('mean_retained', 0.0):.0%} of the contrast, loses "
            f"{model.get('fraction_lost', 0.0):.0%} (retained < 50 %)"
        )
    return lines


def compose(panes: QImage, lines: list[str]) -> QImage:
    """The panes with the caption burned in below them."""
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPixelSize(14)
    line_height = 19
    height = panes.height() + 16 + line_height * len(lines)
    image = QImage(panes.width(), height, QImage.Format.Format_RGB32)
    image.fill(QColor("#101214"))
    painter = QPainter(image)
    try:
        painter.drawImage(0, 0, panes)
        painter.setFont(font)
        painter.setPen(QColor("#d8dee9"))
        y = panes.height() + 8
        for line in lines:
            painter.drawText(
                QRect(10, y, panes.width() - 20, line_height), Qt.AlignmentFlag.AlignLeft, line
            )
            y += line_height
    finally:
        painter.end()
    return image


def export_comparison(
    state: ViewerState,
    panes: QWidget,
    out: Path,
    *,
    identifying: bool = False,
    overwrite: bool = False,
    regions: tuple | list = (),
    full_resolution: bool = False,
) -> tuple[Path, ...]:
    """Write the comparison PNG and its JSON sidecar, rendered from the state now.

    Nothing is grabbed from the screen: :mod:`denoscope.app.evidence` renders the
    layout's panes at native pixel size from the shown result, and every value
    burned in is computed from the state at this moment. A result that is not the
    shown slice's (still computing) is refused.

    Parameters
    ----------
    state : ViewerState
        The state (a result of the shown slice must be shown).
    panes : ImagePanes
        The panes: which are shown (layout), the difference colours, the readout pixel.
    out : Path
        The PNG; the sidecar is ``out`` with ``.json``.
    identifying : bool
        Include identifying text (file name, description, patient fields).
    overwrite : bool
        Replace existing files.
    regions : sequence of Region
        ROIs, drawn on every pane and listed with their statistics.
    full_resolution : bool
        Also write each pane alone at native size (``out`` stem + ``_<pane>.png``).

    Returns
    -------
    tuple of Path
        The PNG, the JSON, then the per-pane PNGs.
    """
    from denoscope.app import evidence
    from denoscope.app.widgets.roi import roi_record

    out = Path(out).with_suffix(".png") if Path(out).suffix.lower() != ".png" else Path(out)
    side = sidecar_path(out)
    evidence.ensure_current(state)
    setup = evidence.view_setup(panes, regions)
    extra = (
        {key: out.with_name(f"{out.stem}_{key}.png") for key in setup.panes}
        if full_resolution
        else {}
    )
    check_writable(out, side, *extra.values(), overwrite=overwrite)
    record = provenance(state, identifying=identifying)
    rois = roi_record(state, list(setup.regions))
    record.update(evidence.setup_record(state, setup, rois))
    record["screenshot"] = out.name
    scale = evidence.composed_scale(tuple(state.study.study.frames.shape[1:]))
    record["composed_scale"] = scale
    record["full_resolution_panes"] = {key: path.name for key, path in extra.items()}
    lines = caption_lines(record) + evidence.setup_lines(state, setup, rois, scale)
    image, _scale = evidence.compose(state, setup, lines)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_png(image, out, overwrite=overwrite)
    written = [out]
    if extra:
        singles = evidence.pane_images(state, setup)
        for key, path in extra.items():
            if key in singles:
                _write_png(singles[key], path, overwrite=overwrite)
                written.append(path)
    _write_text(side, json.dumps(record, indent=2, ensure_ascii=False) + "\n", overwrite=overwrite)
    return (out, side, *written[1:])


def _write_png(image: QImage, path: Path, *, overwrite: bool) -> None:
    """Encode ``image`` as PNG and write it atomically."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(f"could not encode {path}")
    buffer.close()
    _write_bytes(path, bytes(data.data()), overwrite=overwrite)


def _write_text(path: Path, text: str, *, overwrite: bool) -> None:
    _write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def _write_bytes(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Atomic write (temporary file in the same folder, fsync, rename) through core's writer."""
    from denoscope.core.io.outputs import write_bytes

    write_bytes(path, data, overwrite=overwrite)


def export_metrics_csv(state: ViewerState, out: Path, *, overwrite: bool = False) -> Path:
    """Write the metrics table (with deltas), and per-slice metrics when known, as CSV."""
    out = Path(out)
    check_writable(out, overwrite=overwrite)
    result = state.result
    if result is None:
        raise ValueError("nothing to export: no result is shown")
    from denoscope.core.io.outputs import write_text

    keys = list(METRIC_KEYS)
    handle = io.StringIO(newline="")  # rows go to memory, then atomically to disk
    writer = csv.writer(handle)
    writer.writerow(["slice", "row", "label", *keys])
    for row in metric_table(result, state.lpips):
        writer.writerow([result.index, row["row"], row["label"], *(_csv(row.get(k)) for k in keys)])
    for name, value in result.sigma.items():
        writer.writerow([result.index, f"sigma-{name}", f"estimated σ {name}", _csv(value)])
    series = state.series_metrics
    if series is not None:
        for name in series.psnr:
            for index, (p, s) in enumerate(zip(series.psnr[name], series.ssim[name], strict=True)):
                if np.isfinite(p):
                    cells = {"psnr": _csv(p), "ssim": _csv(s)}
                    writer.writerow(
                        [
                            index,
                            f"series-{name}",
                            f"{name} vs truth",
                            *(cells.get(k, "") for k in keys),
                        ]
                    )
    write_text(out, handle.getvalue(), overwrite=overwrite)
    return out


def _csv(value: Any) -> str:
    if value is None:
        return ""
    return repr(float(value))


def export_denoised(
    loaded: Any,
    result: Any,
    params: Any,
    out: Path,
    *,
    series: bool = False,
    overwrite: bool = False,
    progress: Any = None,
    should_stop: Any = None,
    anonymize: bool = False,
) -> list[Path]:
    """Write the denoised slice (or every slice) through :mod:`denoscope.core.io.write`.

    A plain function for the export worker. ``.png`` gives 16-bit PNGs of the
    [0, 1] image; ``.dcm`` gives derived DICOM in modality units (DICOM studies
    only). A series writes one file per slice, ``name_0001.ext`` and so on.

    Parameters
    ----------
    loaded : LoadedStudy
        The shown study.
    result : SliceResult
        The shown result (its denoised slice is reused).
    params : Params
        The parameters of the other slices.
    out : Path
        Target file (a series adds ``_0001``... to its name).
    series : bool
        Every slice instead of the shown one.
    overwrite : bool
        Replace existing files.
    progress : callable, optional
        ``progress(done, total)`` per slice.
    should_stop : callable, optional
        Cooperative cancellation, checked between slices.
    anonymize : bool
        Derived DICOM: apply the privacy policy's PS3.15 basic profile with
        UIDs replaced consistently across the series (``denoise --anonymize``).

    Returns
    -------
    list of Path
        The files written.
    """
    from pydicom.uid import generate_uid

    from denoscope.app import pipeline
    from denoscope.core.errors import Cancelled, ParameterError
    from denoscope.core.io.outputs import numbered_paths
    from denoscope.core.io.write import save_derived_dicom, save_png16
    from denoscope.core.privacy import UidMap
    from denoscope.core.review import derived_description
    from denoscope.core.review import provenance as review_provenance

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".dcm"):
        raise ParameterError("unsupported export format", got=out.suffix, expected=".png or .dcm")
    if suffix == ".dcm" and not loaded.study.is_dicom:
        raise ParameterError("derived DICOM needs a DICOM study", fix="export a 16-bit PNG instead")
    if series:
        indices = list(range(loaded.study.frames.shape[0]))
        targets = numbered_paths(out, len(indices))
    else:
        indices, targets = [result.index], [out]
    inputs = (loaded.study.source, *_dataset_files(loaded.study))
    check_writable(*targets, overwrite=overwrite, inputs=inputs)
    written = []
    series_uid = generate_uid()  # every exported slice belongs to one derived series
    # Denoised synthetic noise is a simulation, not a processed acquisition: it is marked
    # SYNTHETIC and filed in a new study, never in the patient's real one (as `noise -o x.dcm`).
    synthetic = not params.real_input
    study_uid = generate_uid() if synthetic else None
    uids = UidMap() if anonymize else None
    for done, (index, target) in enumerate(zip(indices, targets, strict=True)):
        if should_stop is not None and should_stop():
            raise Cancelled()
        if index == result.index and result.params == params:
            current = result
        else:
            kwargs = {} if should_stop is None else {"should_stop": should_stop}
            current = pipeline.process(loaded, index, params, **kwargs)
        if should_stop is not None and should_stop():  # closing: write nothing more
            raise Cancelled()
        denoised01 = current.denoised01
        if denoised01 is None:
            raise ParameterError("no denoised image: no model is available for this modality")
        if suffix == ".png":
            save_png16(target, denoised01, overwrite=overwrite, inputs=inputs)
        else:
            normalization = current.normalization or loaded.normalization
            save_derived_dicom(
                target,
                loaded.study,
                index,
                normalization.from_unit(denoised01),
                description=derived_description(review_provenance(loaded, current)),
                series_uid=series_uid,
                overwrite=overwrite,
                anonymize=uids,
                synthetic=synthetic,
                study_uid=study_uid,
            )
        written.append(target)
        if progress is not None:
            progress(done + 1, len(indices))
    return written


def _dataset_files(study: Any) -> list[Path]:
    """The files a DICOM study was read from (never written onto)."""
    files = []
    for dataset in getattr(study, "datasets", ()) or ():
        filename = getattr(dataset, "filename", None)
        if isinstance(filename, str):
            files.append(Path(filename))
    return files
