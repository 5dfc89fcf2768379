"""Derived DICOM: one processed frame saved as a new image of the same study.

The frame is stored through the inverse of its rescale (the source's
stored-value encoding when the values fit, otherwise a fresh 16-bit linear
encoding), with new SOP and Series Instance UIDs, ImageType
``DERIVED\\SECONDARY``, the processing described in DerivationDescription and
SeriesDescription, and a SourceImageSequence pointing at the original image;
geometry, study and frame of reference are kept. It is always written
uncompressed (Explicit VR Little Endian) and MONOCHROME2: a MONOCHROME1 or
colour source is stored as the loader's MONOCHROME2 luminance values.
"""

from __future__ import annotations

import copy
import datetime as _dt
import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.errors import ParameterError, UnsupportedStudyError
from denoscope.core.io.multiframe import first_float, has_functional_groups
from denoscope.core.io.outputs import check_output, write_bytes
from denoscope.core.io.study import Study

_UINT16_MAX = 65535
_DESCRIPTION_MAX = 64  # SeriesDescription is LO
_DERIVATION_MAX = 1024  # DerivationDescription is ST


def _frame_rescale(ds: Any, frame: int) -> tuple[float, float]:
    """Return the (slope, intercept) the loader applied to ``frame`` of ``ds`` (linear only)."""
    from denoscope.core.io.multiframe import functional_item

    if has_functional_groups(ds):
        item = functional_item(ds, frame, "PixelValueTransformationSequence")
        if item is not None:
            slope = first_float(item.get("RescaleSlope"))
            intercept = first_float(item.get("RescaleIntercept"))
            if slope is not None and intercept is not None and slope != 0:
                return slope, intercept
    slope = first_float(ds.get("RescaleSlope"))
    intercept = first_float(ds.get("RescaleIntercept"))
    if slope is not None and intercept is not None and slope != 0:
        return slope, intercept
    return 1.0, 0.0


def _encoding(ds: Any, frame: int, values: np.ndarray) -> tuple[float, float, int, int, np.ndarray]:
    """Choose (slope, intercept, bits stored, pixel representation, stored values).

    The source encoding is kept when it is integer grey with a linear rescale
    (or none) and every value fits its stored range; otherwise a 16-bit
    unsigned encoding spanning the values is made.
    """
    grey = str(ds.get("PhotometricInterpretation", "")).upper() in ("MONOCHROME1", "MONOCHROME2")
    keep = (
        grey
        and "ModalityLUTSequence" not in ds
        and int(ds.get("BitsAllocated", 0) or 0) in (8, 16)
        and int(ds.get("SamplesPerPixel", 1) or 1) == 1
    )
    if keep:
        slope, intercept = _frame_rescale(ds, frame)
        bits = int(ds.get("BitsStored", ds.BitsAllocated) or ds.BitsAllocated)
        signed = int(ds.get("PixelRepresentation", 0) or 0)
        low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        stored = np.rint((values - intercept) / slope)
        if stored.min() >= low and stored.max() <= high:
            return slope, intercept, bits, signed, stored
    low, high = float(values.min()), float(values.max())
    integral = np.array_equal(values, np.rint(values))
    if integral and low >= 0 and high <= _UINT16_MAX:
        return 1.0, 0.0, 16, 0, np.rint(values)
    if integral and low >= -32768 and high <= 32767:
        return 1.0, 0.0, 16, 1, np.rint(values)
    slope = (high - low) / _UINT16_MAX if high > low else 1.0
    return slope, low, 16, 0, np.rint((values - low) / slope)


def _set_rescale(ds: Any, slope: float, intercept: float) -> None:
    """Store the rescale where the loader reads it (functional groups or top level)."""
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    from denoscope.core.io.multiframe import functional_item

    ds.pop("ModalityLUTSequence", None)
    if has_functional_groups(ds):
        item = functional_item(ds, 0, "PixelValueTransformationSequence")
        if item is None:
            item = Dataset()
            item.RescaleType = "US"
            holders = (
                ds.get("PerFrameFunctionalGroupsSequence") or ds.SharedFunctionalGroupsSequence
            )
            holders[0].PixelValueTransformationSequence = Sequence([item])
        item.RescaleSlope = f"{slope:.10g}"
        item.RescaleIntercept = f"{intercept:.10g}"
        return
    if (slope, intercept) == (1.0, 0.0) and "RescaleSlope" not in ds:
        return
    ds.RescaleSlope = f"{slope:.10g}"
    ds.RescaleIntercept = f"{intercept:.10g}"


def save_derived_dicom(
    path: str | Path,
    study: Study,
    frame_index: int,
    frame_units: np.ndarray,
    *,
    description: str,
    series_uid: str | None = None,
    overwrite: bool = False,
    anonymize: Any = None,
    synthetic: bool = False,
    study_uid: str | None = None,
) -> Path:
    """Save one processed frame as a derived DICOM image of the same study.

    Parameters
    ----------
    path : str or Path
        Output file (never one of the study's inputs).
    study : Study
        The DICOM study the frame came from (``study.is_dicom``).
    frame_index : int
        Index of the source frame in ``study.frames``.
    frame_units : ndarray, shape (rows, cols)
        The processed frame in the study's modality units (HU for CT), finite.
    description : str
        What was done (model, noise, parameters); goes into DerivationDescription
        and, shortened, SeriesDescription.
    series_uid : str, optional
        Series Instance UID of the derived series. Pass the same value (e.g. from
        :func:`pydicom.uid.generate_uid`) for every frame of one processed series so
        they stay one series; a new UID is made when omitted (a single image).
    overwrite : bool, optional
        Replace an existing output file.
    anonymize : denoscope.core.privacy.UidMap, optional
        De-identify by the privacy policy's PS3.15 basic profile
        (:func:`denoscope.core.privacy.deidentify`), replacing UIDs through this
        map; pass one map for every frame of a series. None keeps the patient
        and study identity (a derived image of the same study).
    synthetic : bool, optional
        The frame is a simulation (e.g. added noise), not a processed acquisition:
        ImageComments, DerivationDescription and SeriesDescription say
        ``SYNTHETIC`` so no reader mistakes it for the patient's real image.
    study_uid : str, optional
        File the image in this StudyInstanceUID (a new study) instead of the
        source's study; synthetic images should not join the patient's real study.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    UnsupportedStudyError
        The study is not DICOM (write a PNG instead).
    ParameterError
        Bad frame index, shape or values.
    OutputExistsError
        See :func:`check_output`.
    """
    import pydicom
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    if not study.is_dicom or not study.datasets:
        raise UnsupportedStudyError(
            "a derived DICOM needs a DICOM study",
            path=study.source,
            fix="Save a PNG instead (save_png16)",
        )
    if not 0 <= frame_index < study.n_frames:
        raise ParameterError(
            "frame index out of range", got=str(frame_index), expected=f"0..{study.n_frames - 1}"
        )
    values = np.asarray(frame_units, dtype=np.float64)
    if values.shape != study.shape:
        raise ParameterError(
            "the frame does not have the study's size",
            got=f"shape {values.shape}",
            expected=f"{study.shape}",
        )
    if not np.isfinite(values).all():
        raise ParameterError("the frame has NaN or infinite values")
    inputs: list[Path] = [study.source]
    for dataset in study.datasets:
        filename = getattr(dataset, "filename", None)
        if isinstance(filename, str | os.PathLike):
            inputs.append(Path(filename))
    path = check_output(path, overwrite=overwrite, inputs=inputs)

    index, frame = study.dataset_frames[frame_index]
    source = study.datasets[index]
    ds = copy.deepcopy(source)
    slope, intercept, bits, signed, stored = _encoding(source, frame, values)
    # Command-group elements (0000,xxxx) belong to DIMSE messages, never to a stored
    # dataset; pydicom's writer fails on them, so they are dropped.
    for tag in [t for t in ds.keys() if t.group == 0x0000]:
        del ds[tag]

    multiframe = "NumberOfFrames" in ds
    if multiframe:
        ds.NumberOfFrames = 1
        per_frame = ds.get("PerFrameFunctionalGroupsSequence")
        if per_frame is not None and frame < len(per_frame):
            ds.PerFrameFunctionalGroupsSequence = Sequence([per_frame[frame]])
    for keyword in (
        "PixelData",
        "FloatPixelData",
        "DoubleFloatPixelData",
        "PixelPaddingValue",
        "PixelPaddingRangeLimit",
        "SmallestImagePixelValue",
        "LargestImagePixelValue",
        "VOILUTSequence",
        "PlanarConfiguration",
        "PresentationLUTShape",
        "RedPaletteColorLookupTableDescriptor",
        "GreenPaletteColorLookupTableDescriptor",
        "BluePaletteColorLookupTableDescriptor",
        "RedPaletteColorLookupTableData",
        "GreenPaletteColorLookupTableData",
        "BluePaletteColorLookupTableData",
        "SegmentedRedPaletteColorLookupTableData",
        "SegmentedGreenPaletteColorLookupTableData",
        "SegmentedBluePaletteColorLookupTableData",
        "PaletteColorLookupTableUID",
    ):
        ds.pop(keyword, None)
    _set_rescale(ds, slope, intercept)
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.SamplesPerPixel = 1
    ds.BitsAllocated = 16
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = signed
    dtype = np.int16 if signed else np.uint16
    ds.PixelData = stored.astype(dtype).tobytes()
    ds["PixelData"].VR = "OW"
    if not has_functional_groups(ds):
        center, width = study.window
        ds.WindowCenter = f"{center:.10g}"
        ds.WindowWidth = f"{width:.10g}"

    image_type = [str(v) for v in (source.get("ImageType") or [])]
    ds.ImageType = ["DERIVED", "SECONDARY", *image_type[2:]]
    if synthetic:
        description = f"SYNTHETIC (simulated, not acquired): {description}"
        ds.ImageComments = (
            "SYNTHETIC IMAGE: simulated noise added to a real image by Denoscope; "
            "not an acquired image, not for diagnosis"
        )
    if study_uid is not None:
        ds.StudyInstanceUID = study_uid
    ds.DerivationDescription = description[:_DERIVATION_MAX]
    original = str(source.get("SeriesDescription", "") or "").strip()
    series = f"{original} [{description}]" if original else description
    ds.SeriesDescription = series[:_DESCRIPTION_MAX]
    reference = Dataset()
    reference.ReferencedSOPClassUID = source.get("SOPClassUID", "")
    reference.ReferencedSOPInstanceUID = source.get("SOPInstanceUID", "")
    if multiframe:
        reference.ReferencedFrameNumber = frame + 1
    ds.SourceImageSequence = Sequence([reference])
    now = _dt.datetime.now()
    ds.InstanceCreationDate = now.strftime("%Y%m%d")
    ds.InstanceCreationTime = now.strftime("%H%M%S")
    ds.SOPInstanceUID = generate_uid()
    ds.SeriesInstanceUID = series_uid or generate_uid()
    try:
        ds.SeriesNumber = int(source.get("SeriesNumber", 0) or 0) + 1000
    except (TypeError, ValueError):
        ds.SeriesNumber = 1000

    meta = pydicom.dataset.FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.get("SOPClassUID", "1.2.840.10008.5.1.4.1.1.7")
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    if anonymize is not None:
        from denoscope.core.privacy import deidentify

        comments = ds.get("ImageComments") if synthetic else None
        deidentify(ds, anonymize)
        ds.DerivationDescription = description[:_DERIVATION_MAX]  # the processing, no PHI
        ds.SeriesDescription = description[:_DESCRIPTION_MAX]
        if comments:  # the SYNTHETIC marker is ours, not the patient's: keep it
            ds.ImageComments = comments
    for _ in ds.iterall():  # decode every raw element before changing the encoding
        pass
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True, little_endian=True, implicit_vr=False)
    write_bytes(path, buffer.getvalue(), overwrite=overwrite)
    return path
