"""Entry points: :func:`load_study` and :func:`list_series` for files and folders."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from denoscope.core.errors import MultipleSeriesError, StudyLoadError
from denoscope.core.io.dicom_file import declared_geometry, read_dataset, transfer_syntax_name
from denoscope.core.io.dicom_pixels import decode_dataset
from denoscope.core.io.dicom_series import (
    Header,
    group_series,
    is_dicomdir,
    scan_folder,
    series_info,
    sort_slices,
)
from denoscope.core.io.guard import reading
from denoscope.core.io.limits import check_declared_size
from denoscope.core.io.metadata import tag_rows
from denoscope.core.io.paths import checked_input
from denoscope.core.io.pixels import ensure_finite, robust_window
from denoscope.core.io.png import is_png, load_png_study, png_files
from denoscope.core.io.stacking import (
    STACK_PREFIX,
    StackGroup,
    describe_files,
    group_stacks,
    stack_of_files,
)
from denoscope.core.io.study import SeriesInfo, Study
from denoscope.core.io.tiff import is_tiff, load_tiff_study


def _existing(path: str | Path) -> Path:
    """Return ``path`` as a Path; raise unless it is a regular file or a folder (no FIFOs)."""
    return checked_input(path)


def _folder_series(folder: Path) -> dict[str | None, list[Header]]:
    """Return the DICOM series of a folder, slices sorted."""
    return {uid: sort_slices(h) for uid, h in group_series(scan_folder(folder)).items()}


def _empty_folder_error(folder: Path) -> StudyLoadError:
    return StudyLoadError(
        "no DICOM or PNG images in this folder",
        path=folder,
        expected="DICOM image files (any name) or .png files",
        fix="Choose the folder that holds the images themselves",
    )


def list_series(path: str | Path) -> list[SeriesInfo]:
    """List the series a file or folder holds, so the caller can choose one.

    Parameters
    ----------
    path : str or Path
        A DICOM file, a DICOMDIR, a PNG file, or a folder.

    Returns
    -------
    list of SeriesInfo
        One entry per DICOM series (slices in load order), or a single entry
        (``series_uid=None``) for a PNG file or PNG folder.

    Raises
    ------
    StudyLoadError
        Nothing loadable at ``path``.
    """
    path = _existing(path)
    if path.is_file():
        if is_png(path):
            return [_png_info([path], path)]
        if is_tiff(path):
            study = load_tiff_study(path)
            rows, columns = study.shape
            return [
                SeriesInfo(
                    None, None, "unknown", path.name, 1, study.n_frames, rows, columns, (path,)
                )
            ]
        ds = read_dataset(path, stop_before_pixels=True)
        if is_dicomdir(ds):
            return list_series(path.parent)
        with reading(path, "the DICOM header"):
            declared_geometry(ds, path, require_pixels=False)
            return [series_info(str(ds.get("SeriesInstanceUID", "")) or None, [Header(path, ds)])]
    series = _folder_series(path)
    if series:
        with reading(path, "the DICOM headers"):
            return [series_info(uid, headers) for uid, headers in series.items()]
    pngs = png_files(path)
    if pngs:
        return [_png_info(pngs, path)]
    raise _empty_folder_error(path)


def _png_info(files: list[Path], source: Path) -> SeriesInfo:
    """Describe a PNG file or stack (size from the first file's header)."""
    from PIL import Image

    with reading(files[0], "the PNG image"), Image.open(files[0], formats=["PNG"]) as image:
        columns, rows = image.size
    return SeriesInfo(
        series_uid=None,
        dicom_modality=None,
        modality="unknown",
        description=source.name,
        n_files=len(files),
        n_frames=len(files),
        rows=rows,
        columns=columns,
        files=tuple(files),
    )


def load_study(
    path: str | Path, *, series_uid: str | None = None, max_bytes: int | None = None
) -> Study:
    """Load a DICOM or PNG study into float32 frames in modality units.

    Parameters
    ----------
    path : str or Path
        A DICOM file (single- or multi-frame), a DICOMDIR, a PNG or TIFF file, a folder
        of DICOM files (searched recursively) or a folder of PNG files (a stack,
        in natural name order). Files are only ever opened for reading.
    series_uid : str, optional
        The SeriesInstanceUID to load when the folder holds several series
        (see :func:`list_series`).
    max_bytes : int, optional
        Memory limit checked against the declared size before decoding;
        defaults to :data:`denoscope.core.io.limits.DEFAULT_MAX_BYTES` or the
        ``DENOSCOPE_MAX_STUDY_BYTES`` environment variable.

    Returns
    -------
    Study
        Frames (n_frames, rows, cols) float32, finite; see :class:`Study`.

    Raises
    ------
    StudyLoadError
        Or a subclass: :class:`~denoscope.core.errors.UnsupportedStudyError`,
        :class:`~denoscope.core.errors.MissingDecoderError`,
        :class:`~denoscope.core.errors.StudyTooLargeError`,
        :class:`MultipleSeriesError` (several series and no ``series_uid``).
    """
    path = _existing(path)
    if path.is_file():
        if is_png(path):
            return load_png_study([path], source=path, max_bytes=max_bytes)
        if is_tiff(path):
            return load_tiff_study(path, max_bytes=max_bytes)
        header = read_dataset(path, stop_before_pixels=True)
        if is_dicomdir(header):
            return load_study(path.parent, series_uid=series_uid, max_bytes=max_bytes)
        headers = [Header(path, header)]
        uid = str(header.get("SeriesInstanceUID", "") or "") or None
        if series_uid is not None and uid != series_uid:
            raise StudyLoadError(
                "the requested series is not in this file",
                path=path,
                got=f"SeriesInstanceUID {uid}",
                expected=series_uid,
            )
        return _load_dicom(headers, uid, source=path, max_bytes=max_bytes)
    series = _folder_series(path)
    if not series:
        pngs = png_files(path)
        if not pngs:
            raise _empty_folder_error(path)
        return load_png_study(pngs, source=path, max_bytes=max_bytes)
    if series_uid is None:
        if len(series) > 1:
            infos = tuple(series_info(uid, h) for uid, h in series.items())
            raise MultipleSeriesError(path, infos)
        series_uid = next(iter(series))
    if series_uid.startswith(STACK_PREFIX):
        return _load_stack_key(series, series_uid, source=path, max_bytes=max_bytes)
    if series_uid not in series:
        raise StudyLoadError(
            "no series with this SeriesInstanceUID in the folder",
            path=path,
            got=series_uid,
            expected=", ".join(str(uid) for uid in series),
        )
    return _load_dicom(series[series_uid], series_uid, source=path, max_bytes=max_bytes)


def list_stacks(path: str | Path) -> list[SeriesInfo]:
    """List the stacks of single-frame series a folder holds (see :mod:`.stacking`).

    Parameters
    ----------
    path : str or Path
        A folder (a file gives an empty list).

    Returns
    -------
    list of SeriesInfo
        One entry per stack, largest first; its ``series_uid`` is the stack's key,
        which :func:`load_study` accepts in place of a SeriesInstanceUID.
    """
    path = _existing(path)
    if not path.is_dir():
        return []
    headers = [h for group in group_series(scan_folder(path)).values() for h in group]
    return [_stack_info(group) for group in group_stacks(headers)]


def _stack_info(group: StackGroup) -> SeriesInfo:
    info = series_info(group.key, list(group.headers))
    return replace(
        info,
        description=f"Stack of these {len(group.headers)} single-frame series",
    )


def _load_stack_key(
    series: dict[str | None, list[Header]], key: str, *, source: Path, max_bytes: int | None
) -> Study:
    headers = [h for group in series.values() for h in group]
    for group in group_stacks(headers):
        if group.key == key:
            return _load_stack(group, source=source, max_bytes=max_bytes)
    raise StudyLoadError(
        "no such stack of single-frame series in the folder",
        path=source,
        got=key,
        fix="Open the folder again and choose a stack from the series list",
    )


def _load_stack(group: StackGroup, *, source: Path, max_bytes: int | None) -> Study:
    study = _load_dicom(list(group.headers), None, source=source, max_bytes=max_bytes)
    return replace(
        study,
        series_uid=group.key,
        description=f"Stack of {len(group.headers)} single-frame series",
        stacked_from=group.series_uids,
        notes=(*study.notes, f"Opened {group.describe()}."),
    )


def load_files(paths: list[str | Path], *, max_bytes: int | None = None) -> Study:
    """Load exactly these files: one stack when they stack, otherwise the first, with a note.

    Parameters
    ----------
    paths : list of str or Path
        Files (e.g. dropped together on the viewer), in the user's order.
    max_bytes : int, optional
        See :func:`load_study`.

    Returns
    -------
    Study
        The stack of the files (:attr:`Study.stacked_from` set) when they are all
        single-frame DICOM series that stack (see :mod:`.stacking`), or PNGs of one
        size (a PNG stack in the order given); otherwise the first file's study,
        whose :attr:`Study.notes` say which files were left out.
    """
    files = [_existing(p) for p in paths]
    if len(files) == 1 or not all(f.is_file() for f in files):
        return load_study(files[0], max_bytes=max_bytes)
    if all(is_png(f) for f in files):  # a PNG stack of exactly these files, when one size
        parents = {f.parent for f in files}
        try:
            return load_png_study(
                files, source=parents.pop() if len(parents) == 1 else files[0], max_bytes=max_bytes
            )
        except StudyLoadError as error:
            if "mixed frame sizes" not in str(error):
                raise
    headers: list[Header] = []
    for path in files:
        try:
            ds = read_dataset(path, stop_before_pixels=True)
        except StudyLoadError:
            break
        if is_dicomdir(ds) or "Rows" not in ds:
            break
        headers.append(Header(path, ds))
    group = stack_of_files(headers) if len(headers) == len(files) else None
    if group is not None:
        source = files[0].parent if len({f.parent for f in files}) == 1 else files[0]
        return _load_stack(group, source=source, max_bytes=max_bytes)
    study = load_study(files[0], max_bytes=max_bytes)
    note = (
        f"The {len(files)} files dropped do not form one stack of single-frame series "
        f"(same frame of reference or study, orientation and size); opened {files[0].name} "
        f"only, not {describe_files(files[1:])}."
    )
    return replace(study, notes=(*study.notes, note))


def _load_dicom(
    headers: list[Header], series_uid: str | None, *, source: Path, max_bytes: int | None
) -> Study:
    """Decode the files of one series (already sorted) into a Study."""
    first = headers[0]
    with reading(first.path, "the DICOM header"):
        geometry = declared_geometry(first.ds, first.path, require_pixels=False)
        check_declared_size(
            source,
            rows=geometry.rows,
            columns=geometry.columns,
            frames=sum(h.n_frames for h in headers),
            samples=1,
            bytes_per_sample=0,
            work_bytes_per_pixel=4,  # one float32 stack, filled file by file
            max_bytes=max_bytes,
        )
    total = sum(h.n_frames for h in headers)
    stack: np.ndarray | None = None
    filled = 0
    datasets = []
    dataset_frames: list[tuple[int, int]] = []
    window = spacing = None
    for index, header in enumerate(headers):
        ds = read_dataset(header.path, max_bytes=max_bytes)
        decoded = decode_dataset(ds, header.path, max_bytes=max_bytes)
        values = ensure_finite(decoded.frames, header.path)
        window = window or decoded.window
        spacing = spacing or decoded.spacing
        del decoded  # its float64 frames are not needed past this point
        if stack is None:
            stack = np.empty((total, *values.shape[1:]), dtype=np.float32)
        if values.shape[1:] != stack.shape[1:]:
            raise StudyLoadError(
                "mixed frame sizes in a series",
                path=header.path,
                got=f"{values.shape[1]}x{values.shape[2]}",
                expected=f"{stack.shape[1]}x{stack.shape[2]} like {headers[0].path.name}",
                fix="The series mixes image sizes (e.g. a scout); open the files separately",
            )
        if filled + values.shape[0] > total:
            raise StudyLoadError(
                "a file holds more frames than its header declares",
                path=header.path,
                got=f"{values.shape[0]} frame(s)",
                expected=f"{header.n_frames} (NumberOfFrames)",
            )
        stack[filled : filled + values.shape[0]] = values
        filled += values.shape[0]
        if index == 0:
            with reading(header.path, "the DICOM header"):
                metadata = tag_rows(ds)
                ts = transfer_syntax_name(ds)
        for keyword in ("PixelData", "FloatPixelData", "DoubleFloatPixelData"):
            if keyword in ds:
                del ds[keyword]
        datasets.append(ds)
        dataset_frames.extend((index, k) for k in range(values.shape[0]))
        del values
    assert stack is not None  # headers is never empty
    stack = stack[:filled]
    if window is None:
        window = robust_window(stack)
    info = series_info(series_uid, headers)
    return Study(
        frames=stack,
        modality=info.modality,
        dicom_modality=info.dicom_modality,
        window=(float(window[0]), float(window[1])),
        pixel_spacing=spacing,
        metadata=metadata,
        source=source,
        series_uid=series_uid,
        description=info.description,
        transfer_syntax=ts,
        is_dicom=True,
        datasets=tuple(datasets),
        dataset_frames=tuple(dataset_frames),
    )
