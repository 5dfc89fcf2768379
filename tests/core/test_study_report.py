"""``denoscope study create/report``: self-contained HTML, CSV, no patient identifiers, clear errors."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pydicom
import pytest

from denoscope.cli import main
from tests.core.io_helpers import sample_file
from tests.core.study_helpers import answer_all, make_cases

PATIENT = "Doe^Jane"
PATIENT_ID = "PID-4711-XYZ"


@pytest.fixture(scope="module")
def dicom_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A study of two CT cases whose headers and file names carry a patient's identity."""
    folder = tmp_path_factory.mktemp("privacy")
    cases = folder / "cases"
    cases.mkdir()
    for i in range(2):
        ds = pydicom.dcmread(sample_file("CT_small.dcm"))
        ds.PatientName = PATIENT
        ds.PatientID = PATIENT_ID
        ds.InstitutionName = "St Example Hospital"
        ds.save_as(cases / f"Doe_Jane_{PATIENT_ID}_{i}.dcm")
    out = folder / "privacy.denostudy"
    code = main(
        [
            "study",
            "create",
            "--cases",
            str(cases),
            "--methods",
            "gaussian,median,noisy",
            "--noise",
            "gaussian:0.05",
            "--criteria",
            "overall,noise",
            "--no-lpips",
            "--device",
            "cpu",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    answer_all(out, "Reader A", seed=1)
    answer_all(out, "Reader B", seed=2)
    return out


def test_report_is_self_contained_and_carries_no_identifier(
    dicom_study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html_out, csv_out = tmp_path / "report.html", tmp_path / "answers.csv"
    code = main(
        [
            "study",
            "report",
            str(dicom_study),
            "--html",
            str(html_out),
            "--csv",
            str(csv_out),
            "--bootstrap",
            "500",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "2 cases, 2 reader(s), 12 answers" in printed
    text = html_out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg") >= 2
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#|data:)""", text), "external reference"
    for loader in ("<script", "<link", "@import", "url(http", "<iframe", "<img"):
        assert loader not in text, f"{loader} would load something from elsewhere"
    for section in ("Mean ratings", "Wilcoxon", "Agreement", "Spearman", "reading time"):
        assert section in text
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text())))
    assert len(rows) == 2 * 6 * 2  # readers x trials x criteria
    assert {r["case"] for r in rows} == {"case 1", "case 2"}
    study_bytes = dicom_study.read_bytes()
    for secret in ("Doe", "Jane", PATIENT_ID, "St Example", ".dcm"):
        assert secret.encode() not in study_bytes, f"{secret!r} is stored in the study file"
    for output in (text, csv_out.read_text()):
        for secret in (
            "Doe",
            "Jane",
            PATIENT_ID,
            "St Example",
            "CT_small",
            ".dcm",
            str(dicom_study.parent),
        ):
            assert secret not in output, f"{secret!r} leaked into an export"


def test_report_refuses_to_overwrite_and_names_missing_outputs(
    dicom_study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "r.html"
    existing.write_text("keep me")
    assert main(["study", "report", str(dicom_study), "--html", str(existing)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert existing.read_text() == "keep me"
    assert main(["study", "report", str(dicom_study)]) == 2
    assert "nothing to write" in capsys.readouterr().err
    assert main(["study", "report", str(tmp_path / "none.denostudy"), "--csv", "x.csv"]) == 2
    assert "no such study file" in capsys.readouterr().err


def test_create_errors_are_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = make_cases(tmp_path / "cases", n=1)
    out = tmp_path / "s.denostudy"
    base = ["study", "create", "--cases", str(cases), "-o", str(out), "--no-lpips"]
    assert main([*base, "--methods", "nlmeans,wiener"]) == 2
    err = capsys.readouterr().err
    assert "unknown method" in err and "Traceback" not in err
    assert main([*base, "--methods", "noisy", "--noise", "gaussian:lots"]) == 2
    assert "not a number" in capsys.readouterr().err
    assert main([*base, "--methods", "noisy", "--noise", "gaussian:7"]) == 2
    assert "level out of range" in capsys.readouterr().err
    assert main([*base, "--methods", "model,noisy"]) == 2
    err = capsys.readouterr().err
    assert "modality is unknown" in err and "img1.png" in err and "--modality" in err
    assert not out.exists()


def test_create_with_a_modality_uses_that_modality_s_shipped_model(tmp_path: Path) -> None:
    import json
    import sqlite3

    from denoscope.core.model_registry import list_shipped

    if "mri" not in list_shipped():
        pytest.skip("no shipped MRI model")
    cases = make_cases(tmp_path / "cases", n=1)
    out = tmp_path / "s.denostudy"
    args = ["study", "create", "--cases", str(cases), "-o", str(out), "--no-lpips"]
    assert main([*args, "--methods", "model,noisy", "--modality", "mri", "--device", "cpu"]) == 0
    conn = sqlite3.connect(out)
    settings = json.loads(
        conn.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()[0]
    )
    modality = conn.execute("SELECT modality FROM cases").fetchone()[0]
    conn.close()
    assert modality == "mri" and list(settings["models"]) == ["mri.safetensors"]


def test_report_of_a_study_nobody_has_read_yet(tmp_path: Path) -> None:
    from denoscope.core.study.report import write_report
    from tests.core.study_helpers import make_study

    for design in ("likert", "pairwise"):
        path = make_study(tmp_path / design, design=design, methods=("gaussian", "noisy"))
        out = tmp_path / f"{design}.html"
        report = write_report(path, html_out=out, csv_out=tmp_path / f"{design}.csv", n_boot=200)
        assert report.summary["answers"] == 0 and report.summary["readers"] == 0
        assert "agreement needs at least two readers" in out.read_text(encoding="utf-8")
        assert (tmp_path / f"{design}.csv").read_text().count("\n") == 1  # header only
