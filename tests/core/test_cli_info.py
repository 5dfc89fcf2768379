"""``denoscope info``: a study's description, series listing, one-line errors."""

from __future__ import annotations

import json
import shutil

from denoscope.cli import main
from tests.core.io_helpers import sample_file


def test_info_ct(capsys) -> None:
    assert main(["info", str(sample_file("CT_small.dcm"))]) == 0
    out = capsys.readouterr().out
    assert "modality:        ct (DICOM CT)" in out
    assert "frames:          1" in out
    assert "size:            128 x 128" in out
    assert "spacing:         0.661468 x 0.661468 mm" in out
    assert "window:" in out and "HU" in out
    assert "transfer syntax: Explicit VR Little Endian" in out
    assert "fixed [-1024, 3071]" in out


def test_info_json_multiframe(capsys) -> None:
    assert main(["info", "--json", str(sample_file("emri_small.dcm"))]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["frames"] == 10
    assert summary["modality"] == "mri"
    assert summary["normalization"]["kind"] == "percentile"


def test_info_tags_mark_identifying_fields(capsys) -> None:
    assert main(["info", "--tags", str(sample_file("MR_small.dcm"))]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("*") and "PatientName" in line for line in lines)
    assert any(line.startswith(" ") and " Rows " in line for line in lines)


def test_info_lists_series_of_a_mixed_folder(tmp_path, capsys) -> None:
    shutil.copy(sample_file("CT_small.dcm"), tmp_path / "a.dcm")
    shutil.copy(sample_file("MR_small.dcm"), tmp_path / "b.dcm")
    assert main(["info", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 series" in out and "--series" in out
    uid = next(line.split()[0] for line in out.splitlines()[1:] if " MR " in line)
    assert main(["info", str(tmp_path), "--series", uid]) == 0
    assert "mri (DICOM MR)" in capsys.readouterr().out


def test_info_error_is_one_line_and_exit_2(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.dcm"
    bad.write_bytes(b"not dicom at all")
    assert main(["info", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "not a DICOM file" in err and "bad.dcm" in err
    assert main(["info", str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
