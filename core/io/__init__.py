"""Study loading: DICOM files, DICOM folders, multi-frame DICOM and PNG, as :class:`Study`.

The pixel pipeline is documented in :mod:`denoscope.core.io.dicom_pixels`, the
luminance rule for colour images in :mod:`denoscope.core.io.pixels`, the
memory limit in :mod:`denoscope.core.io.limits`. Writers live in
:mod:`denoscope.core.io.write`.
"""

from denoscope.core.errors import MultipleSeriesError
from denoscope.core.io.load import list_series, list_stacks, load_files, load_study
from denoscope.core.io.study import SeriesInfo, Study, TagRow

__all__ = [
    "MultipleSeriesError",
    "SeriesInfo",
    "Study",
    "TagRow",
    "list_series",
    "list_stacks",
    "load_files",
    "load_study",
]
