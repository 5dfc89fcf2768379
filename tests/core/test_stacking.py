"""Stacking single-frame series: grouping, sort order, keys, explicit file lists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from denoscope.core.errors import StudyLoadError
from denoscope.core.io import list_series, list_stacks, load_files, load_study
from denoscope.core.io.stacking import SORT_RULE, STACK_PREFIX
from tests.core.io_helpers import sample_file


def _slice(
    path: Path,
    *,
    z: float,
    instance: int | None,
    for_uid: str | None = "1.2.3.4",
    orientation=(1, 0, 0, 0, 1, 0),
    value: float = 0.0,
) -> Path:
    """CT_small as its own one-frame series at height ``z``; pixel (0, 0) marks it."""
    ds = pydicom.dcmread(sample_file("CT_small.dcm"))
    position = [float(v) for v in ds.ImagePositionPatient]
    ds.ImagePositionPatient = [position[0], position[1], z]
    ds.ImageOrientationPatient = list(orientation)
    if instance is None:
        del ds.InstanceNumber
    else:
        ds.InstanceNumber = instance
    if for_uid is None:
        del ds.FrameOfReferenceUID
    else:
        ds.FrameOfReferenceUID = for_uid
    ds.SeriesInstanceUID = pydicom.uid.generate_uid()
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    pixels = ds.pixel_array.copy()
    pixels[0, 0] = int(value)
    ds.PixelData = pixels.tobytes()
    ds.save_as(path)
    return path


def test_single_frame_series_stack_sorted_by_position(tmp_path: Path) -> None:
    # File names and instance numbers disagree with the positions on purpose.
    for name, z, instance in (("a.dcm", 30.0, 1), ("b.dcm", 10.0, 3), ("c.dcm", 20.0, 2)):
        _slice(tmp_path / name, z=z, instance=instance, value=z)
    assert len(list_series(tmp_path)) == 3  # three one-frame "series"
    stacks = list_stacks(tmp_path)
    assert len(stacks) == 1 and stacks[0].n_frames == 3
    assert stacks[0].series_uid.startswith(STACK_PREFIX)
    assert [p.name for p in stacks[0].files] == ["b.dcm", "c.dcm", "a.dcm"]
    study = load_study(tmp_path, series_uid=stacks[0].series_uid)
    assert study.frames.shape[0] == 3
    assert len(study.stacked_from) == 3
    assert any(SORT_RULE in note for note in study.notes)
    raw = [int(pydicom.dcmread(tmp_path / n).pixel_array[0, 0]) for n in ("b.dcm", "c.dcm")]
    assert raw == [10, 20]
    # The stack follows the position order: the marked pixel rises with z.
    firsts = study.frames[:, 0, 0]
    assert np.all(np.diff(firsts) > 0)


def test_ties_fall_back_to_instance_number_then_file_name(tmp_path: Path) -> None:
    _slice(tmp_path / "x2.dcm", z=5.0, instance=None, value=3)
    _slice(tmp_path / "x10.dcm", z=5.0, instance=None, value=4)
    _slice(tmp_path / "y.dcm", z=5.0, instance=2, value=2)
    _slice(tmp_path / "z.dcm", z=5.0, instance=1, value=1)
    (stack,) = list_stacks(tmp_path)
    assert [p.name for p in stack.files] == ["z.dcm", "y.dcm", "x2.dcm", "x10.dcm"]


def test_study_uid_is_shared_when_frame_of_reference_is_absent(tmp_path: Path) -> None:
    _slice(tmp_path / "a.dcm", z=1.0, instance=1, for_uid=None)
    _slice(tmp_path / "b.dcm", z=2.0, instance=2, for_uid=None)
    (stack,) = list_stacks(tmp_path)
    study = load_study(tmp_path, series_uid=stack.series_uid)
    assert "StudyInstanceUID" in study.notes[-1]


def test_other_orientation_or_frame_of_reference_does_not_stack(tmp_path: Path) -> None:
    _slice(tmp_path / "a.dcm", z=1.0, instance=1)
    _slice(tmp_path / "b.dcm", z=2.0, instance=2, orientation=(0, 1, 0, 0, 0, -1))
    _slice(tmp_path / "c.dcm", z=3.0, instance=3, for_uid="9.9.9")
    assert list_stacks(tmp_path) == []


def test_dropped_files_open_exactly_those(tmp_path: Path) -> None:
    files = [_slice(tmp_path / f"s{i}.dcm", z=float(i), instance=i) for i in range(4)]
    study = load_files([files[2], files[0]])
    assert study.frames.shape[0] == 2  # not the whole folder
    assert len(study.stacked_from) == 2
    odd = _slice(tmp_path / "odd.dcm", z=9.0, instance=9, orientation=(0, 1, 0, 0, 0, -1))
    single = load_files([files[1], odd])
    assert single.frames.shape[0] == 1 and not single.stacked_from
    assert "odd.dcm" in single.notes[-1] and "s1.dcm" in single.notes[-1]


def test_an_unknown_stack_key_is_a_clear_error(tmp_path: Path) -> None:
    _slice(tmp_path / "a.dcm", z=1.0, instance=1)
    _slice(tmp_path / "b.dcm", z=2.0, instance=2)
    with pytest.raises(StudyLoadError, match="no such stack"):
        load_study(tmp_path, series_uid=STACK_PREFIX + "000000000000")
