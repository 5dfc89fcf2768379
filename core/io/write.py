"""Writers: 16-bit PNG and derived DICOM.

Neither overwrites a file without ``overwrite=True``, and neither ever writes
onto an input file (:func:`denoscope.core.io.outputs.check_output`). The
derived-DICOM rules are in :mod:`denoscope.core.io.derived_dicom`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from denoscope.core.errors import ParameterError
from denoscope.core.intensity import Normalization
from denoscope.core.io.derived_dicom import save_derived_dicom
from denoscope.core.io.outputs import check_output, write_bytes

__all__ = ["check_output", "save_derived_dicom", "save_png16"]

_PNG_MAX = 65535


def save_png16(
    path: str | Path,
    image: np.ndarray,
    *,
    normalization: Normalization | None = None,
    data_range: tuple[float, float] | None = None,
    overwrite: bool = False,
    inputs: Iterable[str | Path] = (),
) -> Path:
    """Save a (rows, cols) image as a 16-bit greyscale PNG.

    The image is mapped to [0, 1] by ``normalization`` (modality units in),
    else linearly from ``data_range=(low, high)``, else taken as already in
    [0, 1]; then 0 -> 0 and 1 -> 65535, rounded.

    Parameters
    ----------
    path : str or Path
        Output file.
    image : ndarray, shape (rows, cols)
        Finite values.
    normalization : Normalization, optional
        Maps modality units to [0, 1] (clipping outside its range).
    data_range : tuple of float, optional
        (low, high) mapped to (0, 65535), clipping outside.
    overwrite : bool, optional
        Replace an existing file (never an input).
    inputs : iterable of path, optional
        Files the output must not replace.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ParameterError
        Wrong shape, non-finite values, values outside [0, 1] without a mapping,
        or both mappings given.
    OutputExistsError
        See :func:`check_output`.
    """
    from PIL import Image

    path = check_output(path, overwrite=overwrite, inputs=inputs)
    array = np.asarray(image, dtype=np.float64)
    if array.ndim != 2 or array.size == 0:
        raise ParameterError(
            "save_png16 needs one 2-D image", got=f"shape {array.shape}", expected="(rows, cols)"
        )
    if not np.isfinite(array).all():
        raise ParameterError("the image has NaN or infinite values", path=path)
    if normalization is not None and data_range is not None:
        raise ParameterError("give normalization or data_range, not both")
    if normalization is not None:
        unit = normalization.to_unit(array).astype(np.float64)
    elif data_range is not None:
        low, high = (float(v) for v in data_range)
        if not high > low:
            raise ParameterError("data_range needs low < high", got=str(data_range))
        unit = np.clip((array - low) / (high - low), 0.0, 1.0)
    else:
        if array.min() < 0.0 or array.max() > 1.0:
            raise ParameterError(
                "image values are outside [0, 1]",
                got=f"[{array.min():g}, {array.max():g}]",
                fix="Pass normalization= or data_range= to map modality units",
            )
        unit = array
    pixels = np.rint(unit * _PNG_MAX).astype(np.uint16)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    write_bytes(path, buffer.getvalue(), overwrite=overwrite)
    return path
