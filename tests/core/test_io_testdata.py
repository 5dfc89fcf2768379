"""Every file of pydicom's test-data set loads or fails with a specific typed error."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_files

from denoscope.core.errors import StudyLoadError
from denoscope.core.io import load_study

#: Messages a failure may carry: each names the specific problem.
SPECIFIC = (
    "not a DICOM file",
    "no pixel data",
    "truncated",
    "not an image to denoise",
    "could not read the DICOM pixel data",
    "holds",  # a DICOMDIR opens its folder, which holds several series
    "unsupported photometric",
    "decoder",
    "declares another size",  # a codestream whose own header disagrees with Rows x Columns
)


def _expected_shape(path: Path) -> tuple[int, int, int]:
    ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    return int(ds.get("NumberOfFrames", 1) or 1), int(ds.Rows), int(ds.Columns)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_every_pydicom_test_file(capsys) -> None:
    counts: Counter[str] = Counter()
    for name in get_testdata_files():
        path = Path(name)
        if path.is_dir():
            continue
        try:
            study = load_study(path)
        except StudyLoadError as error:
            message = str(error)
            assert str(path.name) in message or str(path.parent) in message
            assert any(text in message for text in SPECIFIC), message
            counts[f"{type(error).__name__}: {error.problem}"] += 1
            continue
        assert study.frames.dtype == np.float32, path
        assert study.frames.shape == _expected_shape(path), path
        assert np.isfinite(study.frames).all(), path
        assert study.window[1] > 0, path
        counts["loaded"] += 1
    with capsys.disabled():
        print(f"\npydicom test files: {sum(counts.values())}")
        for key, count in counts.most_common():
            print(f"  {count:4d}  {key}")
    assert counts["loaded"] >= 100
