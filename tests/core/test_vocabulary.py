"""One vocabulary: modality, metric table, errors, output check, file names, card normalisation."""

from __future__ import annotations

import dataclasses
import os
import pickle

import pytest

from denoscope.core.errors import (
    Cancelled,
    MultipleSeriesError,
    OutputExistsError,
    OutputWriteError,
    ParameterError,
)
from denoscope.core.io.outputs import check_outputs, numbered_paths, write_bytes
from denoscope.core.metrics import METRIC_KEYS, METRICS, MetricSet, format_metric
from denoscope.core.modality import MODEL_MODALITIES, Modality, pixel_unit
from denoscope.core.model_card import CardNormalization, ModelCard


def test_modality_parses_text_and_dicom_values():
    assert Modality.parse(" X-Ray ") is Modality.XRAY and Modality.parse(None) is Modality.UNKNOWN
    assert Modality.CT == "ct" and f"{Modality.MRI}" == "mri"
    assert (
        Modality.from_dicom("DX") is Modality.XRAY and Modality.from_dicom("US") is Modality.UNKNOWN
    )
    assert [m.has_model for m in MODEL_MODALITIES] == [True, True, True]
    assert not Modality.UNKNOWN.has_model
    with pytest.raises(ParameterError, match="unknown modality"):
        Modality.parse("pet")
    with pytest.raises(ParameterError):
        Modality.parse("any", allow=MODEL_MODALITIES)
    assert pixel_unit("ct") == "HU" and pixel_unit("ct", is_dicom=False) == "a.u."


def test_metric_table_matches_the_metric_record_and_formats_once():
    fields = [f.name for f in dataclasses.fields(MetricSet)]
    assert all(key in fields for key in METRIC_KEYS)
    assert METRIC_KEYS[:2] == ("psnr", "ssim") and len({s.label for s in METRICS}) == len(METRICS)
    assert format_metric("psnr", 31.234) == "31.23"
    assert format_metric("mse", 1.5e-4) == "1.500e-04"
    assert format_metric("psnr", float("inf")) == "inf"
    assert format_metric("ssim", 0.0123, signed=True) == "+0.0123"
    assert format_metric("lpips", None) == "—"
    assert format_metric("lpips", None, missing="unavailable") == "unavailable"


def test_errors_are_built_complete():
    from denoscope.core.io import SeriesInfo

    info = SeriesInfo("1.2.3", "CT", "ct", "head", n_files=1, n_frames=4, rows=8, columns=8)
    error = MultipleSeriesError("/data/folder", [info, info])
    assert len(error.series) == 2 and "holds 2 series" in str(error) and "1.2.3" in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error)


def test_one_cancellation_class_for_core_and_viewer():
    from denoscope.app.workers import Cancelled as WorkerCancelled
    from denoscope.core.inference import Cancelled as InferenceCancelled

    assert WorkerCancelled is Cancelled and InferenceCancelled is Cancelled


def test_numbered_paths_is_the_one_series_pattern(tmp_path):
    assert numbered_paths(tmp_path / "a.png", 1) == [tmp_path / "a.png"]
    assert numbered_paths(tmp_path / "a.dcm", 3)[2] == tmp_path / "a_0003.dcm"
    assert numbered_paths(tmp_path / "a.png", 12345)[-1].name == "a_12345.png"


def test_output_check_refuses_inputs_and_existing_files_before_writing(tmp_path):
    keep = tmp_path / "keep.png"
    keep.write_bytes(b"old")
    with pytest.raises(OutputExistsError, match="--force"):
        check_outputs([tmp_path / "new.png", keep], overwrite=False, overwrite_hint="pass --force")
    with pytest.raises(OutputExistsError, match="input"):
        check_outputs([keep], overwrite=True, inputs=[keep])
    assert check_outputs([keep], overwrite=True) == [keep]


def test_writes_are_atomic_and_never_clobber(tmp_path):
    target = tmp_path / "out.bin"
    write_bytes(target, b"one", overwrite=False)
    with pytest.raises(OutputExistsError):
        write_bytes(target, b"two", overwrite=False)
    assert target.read_bytes() == b"one"
    write_bytes(target, b"three", overwrite=True)
    assert target.read_bytes() == b"three"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]  # no temporary left


def test_a_full_disk_is_a_clear_error_and_keeps_the_old_file(tmp_path, monkeypatch):
    import errno

    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OutputWriteError, match="No space left"):
        write_bytes(target, b"new", overwrite=True)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputWriteError, match="could not write"):
            write_bytes(folder / "x.png", b"x", overwrite=False)
    finally:
        folder.chmod(0o700)


def test_card_normalization_is_typed_and_old_cards_migrate():
    from denoscope.core.models import ResCAEConfig

    arch = ResCAEConfig(widths=(4, 8))
    sentence = "per-study robust percentiles 0.5 / 99.5 -> [0, 1] (denoscope.core.intensity)"
    card = ModelCard(name="old", architecture=arch, modality="mri", normalization=sentence)
    assert card.normalization == CardNormalization(kind="percentile", percentiles=(0.5, 99.5))
    old_dict = {"kind": "fixed", "low": -1024.0, "high": 3071.0, "percentiles": None}
    card = ModelCard(name="old", architecture=arch, modality="ct", normalization=old_dict)
    assert card.normalization.to_normalization().high == 3071.0
    with pytest.raises(ValueError, match="unrecognised normalisation"):
        ModelCard(name="x", architecture=arch, modality="ct", normalization="whatever we did")
    with pytest.raises(ValueError, match="low < high"):
        CardNormalization(kind="fixed", low=1.0, high=0.0)


def test_shipped_cards_are_in_the_typed_format():
    import json

    from denoscope.core.model_registry import list_shipped

    for path in list_shipped().values():
        raw = json.loads(path.with_suffix(".json").read_text())["normalization"]
        assert isinstance(raw, dict) and raw["kind"] in ("fixed", "percentile")
        CardNormalization.model_validate(raw)


def test_cancelled_is_not_a_user_error():
    from denoscope.core.errors import DenoscopeError

    assert not issubclass(Cancelled, DenoscopeError)
