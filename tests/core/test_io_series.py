"""DICOM folders: series grouping, slice order, series choice, mixed sizes."""

from __future__ import annotations

import shutil

import numpy as np
import pydicom
import pytest

from denoscope.core.errors import StudyLoadError
from denoscope.core.io import MultipleSeriesError, list_series, load_study
from tests.core.io_helpers import ct_copy, sample_file


def test_mixed_folder_gives_two_series(tmp_path) -> None:
    shutil.copy(sample_file("CT_small.dcm"), tmp_path / "a")
    shutil.copy(sample_file("MR_small.dcm"), tmp_path / "b")
    (tmp_path / "README.txt").write_text("not an image")
    infos = list_series(tmp_path)
    assert sorted(i.modality for i in infos) == ["ct", "mri"]
    with pytest.raises(MultipleSeriesError, match="holds 2 series") as caught:
        load_study(tmp_path)
    assert {i.series_uid for i in caught.value.series} == {i.series_uid for i in infos}
    mr = next(i for i in infos if i.modality == "mri")
    study = load_study(tmp_path, series_uid=mr.series_uid)
    assert study.modality == "mri"
    assert study.frames.shape == (1, 64, 64)
    assert study.source == tmp_path


def test_unknown_series_uid(tmp_path) -> None:
    shutil.copy(sample_file("CT_small.dcm"), tmp_path / "a.dcm")
    with pytest.raises(StudyLoadError, match="no series with this SeriesInstanceUID"):
        load_study(tmp_path, series_uid="1.2.3")


def test_slices_sorted_by_position_not_name(tmp_path) -> None:
    # File names and instance numbers disagree with the positions on purpose.
    ct_copy(tmp_path / "1.dcm", z=30.0, instance=1)
    ct_copy(tmp_path / "2.dcm", z=10.0, instance=2)
    ct_copy(tmp_path / "3.dcm", z=20.0, instance=3)
    study = load_study(tmp_path)
    positions = [float(ds.ImagePositionPatient[2]) for ds in study.datasets]
    normal = np.cross(
        np.array(study.datasets[0].ImageOrientationPatient[:3], dtype=float),
        np.array(study.datasets[0].ImageOrientationPatient[3:], dtype=float),
    )
    projected = [p * normal[2] for p in positions]
    assert projected == sorted(projected)
    assert study.frames.shape == (3, 128, 128)
    assert [k for k, _ in study.dataset_frames] == [0, 1, 2]
    assert all("PixelData" not in ds for ds in study.datasets)


def test_instance_number_fallback(tmp_path) -> None:
    for name, instance in (("a.dcm", 3), ("b.dcm", 1), ("c.dcm", 2)):
        path = ct_copy(tmp_path / name, z=0.0, instance=instance)
        ds = pydicom.dcmread(path)
        del ds.ImagePositionPatient
        ds.save_as(path)
    study = load_study(tmp_path)
    assert [int(ds.InstanceNumber) for ds in study.datasets] == [1, 2, 3]


def test_mixed_frame_sizes_in_a_series(tmp_path) -> None:
    ct_copy(tmp_path / "a.dcm", z=0.0, instance=1)
    path = ct_copy(tmp_path / "b.dcm", z=1.0, instance=2)
    ds = pydicom.dcmread(path)
    small = ds.pixel_array[:64, :64].copy()
    ds.Rows, ds.Columns = 64, 64
    ds.PixelData = small.tobytes()
    ds.save_as(path)
    with pytest.raises(StudyLoadError, match="mixed frame sizes in a series"):
        load_study(tmp_path)


def test_dicomdir_opens_its_folder() -> None:
    dicomdir = sample_file("DICOMDIR")
    infos = list_series(dicomdir)
    assert len(infos) >= 2
    study = load_study(dicomdir, series_uid=infos[0].series_uid)
    assert study.frames.shape[0] == infos[0].n_frames
