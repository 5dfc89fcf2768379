"""The privacy policy holds in every writer: planted identifiers never leak by default.

A two-slice CT series is planted with identifying values (patient, staff,
institution, device, dates, free text, a private tag). Every writer runs on
it: ``denoise`` (PNG, JSON provenance, derived DICOM with and without
``--anonymize``), ``noise``, ``evaluate`` reports, ``trust`` reports, a reader
study file and its report, and the viewer's comparison PNG + sidecar, metrics
CSV and denoised PNG/DICOM exports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from denoscope.cli import main
from denoscope.core.resources import sample_path

#: Values that may never appear in a de-identified or default output.
PLANTED = {
    "PatientName": "PLANTED^NAME",
    "PatientID": "PLANTEDID77",
    "PatientBirthDate": "19010203",
    "StudyDate": "19990101",
    "AccessionNumber": "PLANTEDACC",
    "InstitutionName": "PLANTED HOSPITAL",
    "InstitutionAddress": "1 PLANTED ROAD",
    "ReferringPhysicianName": "PLANTED^DOC",
    "OperatorsName": "PLANTED^OPERATOR",
    "DeviceSerialNumber": "PLANTEDSERIAL",
    "StationName": "PLANTEDSTATION",
    "SeriesDescription": "PLANTED SERIES TEXT",
    "StudyDescription": "PLANTED STUDY TEXT",
}
#: What "include identifying text" may add: these and nothing else.
CAPTION = {"PatientName", "PatientID", "StudyDate"}


@pytest.fixture
def planted(tmp_path) -> tuple[Path, set[str]]:
    """A folder with a two-slice planted CT series, and its original UIDs."""
    folder = tmp_path / "planted"
    folder.mkdir()
    source = pydicom.dcmread(sample_path("ct"))
    for keyword, value in PLANTED.items():
        setattr(source, keyword, value)
    source.add_new(0x00091010, "LO", "PLANTED PRIVATE")
    source.StudyInstanceUID = generate_uid()
    source.SeriesInstanceUID = generate_uid()
    source.FrameOfReferenceUID = generate_uid()
    uids = {source.StudyInstanceUID, source.SeriesInstanceUID, source.FrameOfReferenceUID}
    for i in range(2):
        source.SOPInstanceUID = generate_uid()
        uids.add(source.SOPInstanceUID)
        source.InstanceNumber = i + 1
        source.ImagePositionPatient = [0.0, 0.0, float(i)]
        source.save_as(folder / f"slice{i}.dcm")
    return folder, uids


def _leaks(path: Path, forbidden: set[str]) -> set[str]:
    data = path.read_bytes()
    return {text for text in forbidden if text.encode() in data}


def _all_planted(uids: set[str]) -> set[str]:
    return set(PLANTED.values()) | uids | {"PLANTED PRIVATE"}


def test_cli_writers_carry_no_identity_by_default(planted, tmp_path, tiny_model, capsys):
    folder, uids = planted
    forbidden = _all_planted(uids)
    out = tmp_path / "png"
    record = tmp_path / "record.json"
    args = ["denoise", str(folder), "-o", str(out), "--model", str(tiny_model), "--device", "cpu"]
    assert main([*args, "--format", "png", "--json", str(record)]) == 0
    written = [*sorted(out.glob("*.png")), record]
    noisy = tmp_path / "noisy.png"
    assert main(["noise", str(folder / "slice0.dcm"), "-o", str(noisy), "--level", "0.05"]) == 0
    written.append(noisy)
    # evaluate: three single-slice series (a plain folder needs >= 3 series to split)
    data = tmp_path / "evaluate-data"
    data.mkdir()
    for i in range(3):
        ds = pydicom.dcmread(folder / "slice0.dcm")
        ds.SeriesInstanceUID = generate_uid()
        forbidden.add(ds.SeriesInstanceUID)
        ds.save_as(data / f"s{i}.dcm")
    reports = [tmp_path / "ev.json", tmp_path / "ev.csv", tmp_path / "ev.md"]
    evaluate = ["evaluate", "--model", str(tiny_model), "--data", str(data), "--no-lpips"]
    evaluate += ["--baselines", "median", "--json", str(reports[0]), "--csv", str(reports[1])]
    assert main([*evaluate, "--md", str(reports[2])]) == 0
    written += reports
    for path in written:
        assert _leaks(path, forbidden) == set(), path.name
    assert PLANTED["PatientName"] not in capsys.readouterr().out


@pytest.mark.slow
def test_trust_and_reader_study_outputs_carry_no_identity(planted, tmp_path, tiny_model):
    folder, uids = planted
    forbidden = _all_planted(uids)
    trust = [tmp_path / "trust.json", tmp_path / "trust.md"]
    args = ["trust", str(folder / "slice0.dcm"), "--model", str(tiny_model), "--device", "cpu"]
    args += ["--lesions", "3", "--baselines", "median", "--no-pure-noise", "--redraws", "2"]
    assert main([*args, "--json", str(trust[0]), "--md", str(trust[1])]) == 0
    study = tmp_path / "reading.denostudy"
    create = ["study", "create", "--cases", str(folder), "--methods", "noisy,model"]
    assert main([*create, "--model", str(tiny_model), "-o", str(study)]) == 0
    report = [tmp_path / "report.html", tmp_path / "report.csv"]
    assert (
        main(["study", "report", str(study), "--html", str(report[0]), "--csv", str(report[1])])
        == 0
    )
    for path in [*trust, study, *report]:
        assert _leaks(path, forbidden) == set(), path.name


def test_derived_dicom_keeps_identity_unless_anonymized(planted, tmp_path, tiny_model):
    folder, uids = planted
    base = ["denoise", str(folder), "--model", str(tiny_model), "--device", "cpu"]
    kept = tmp_path / "kept"
    assert main([*base, "-o", str(kept), "--format", "dicom"]) == 0
    ds = pydicom.dcmread(sorted(kept.glob("*.dcm"))[0])
    assert ds.PatientName == PLANTED["PatientName"] and ds.PatientID == PLANTED["PatientID"]
    assert ds.StudyInstanceUID in uids  # a derived series of the same study

    anon = tmp_path / "anon"
    assert main([*base, "-o", str(anon), "--format", "dicom", "--anonymize"]) == 0
    files = sorted(anon.glob("*.dcm"))
    assert len(files) == 2
    for path in files:
        assert _leaks(path, _all_planted(uids)) == set(), path.name
    first, second = (pydicom.dcmread(path) for path in files)
    assert first.PatientIdentityRemoved == "YES" and "PS3.15" in first.DeidentificationMethod
    assert first.StudyInstanceUID == second.StudyInstanceUID  # new UIDs, consistent
    assert first.SeriesInstanceUID == second.SeriesInstanceUID
    assert first.FrameOfReferenceUID == second.FrameOfReferenceUID
    assert first.SOPInstanceUID != second.SOPInstanceUID
    assert first.ImageType[0] == "DERIVED" and "tiny" in first.DerivationDescription

    noisy = tmp_path / "noisy.dcm"
    assert main(["noise", str(folder / "slice0.dcm"), "-o", str(noisy), "--anonymize"]) == 0
    assert _leaks(noisy, _all_planted(uids)) == set()
    assert "SYNTHETIC" in pydicom.dcmread(noisy).ImageComments  # our marker survives


def test_viewer_exports_follow_the_policy(
    planted, window, open_study, settle, tmp_path, tiny_model
):
    from denoscope.app.export import caption_lines, export_denoised, export_metrics_csv, provenance

    folder, uids = planted
    forbidden = _all_planted(uids)
    open_study(window, folder)
    settle(window)
    state = window.state
    written = list(window.exports.export_comparison(tmp_path / "cmp.png") or ())
    assert len(written) >= 2
    written.append(export_metrics_csv(state, tmp_path / "metrics.csv"))
    written += export_denoised(state.study, state.result, state.params, tmp_path / "den.png")
    written += export_denoised(
        state.study, state.result, state.params, tmp_path / "den.dcm", series=True, anonymize=True
    )
    for path in written:
        assert _leaks(path, forbidden) == set(), path.name
    assert not set(" ".join(caption_lines(provenance(state))).split()) & forbidden

    record = provenance(state, identifying=True)
    text = json.dumps(record) + "\n".join(caption_lines(record))
    allowed = {PLANTED[k] for k in CAPTION}
    assert all(value in text for value in allowed)
    assert {v for v in forbidden - allowed if v in text} == set()
