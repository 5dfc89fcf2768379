"""Creating a study: outputs computed once and stored losslessly, sources untouched, clear errors."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from denoscope.core.errors import OutputExistsError, ParameterError, StudyLoadError
from denoscope.core.study import SCHEMA_VERSION, StudyFileError, StudySpec, create_study
from denoscope.core.study.schema import connect, decode_array
from tests.core.study_helpers import make_cases, make_model, make_study


def _digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def _image(conn: sqlite3.Connection, case: int, method: str, path: Path) -> np.ndarray:
    row = conn.execute(
        "SELECT dtype, shape, sha256, data FROM images WHERE case_id = ? AND method = ?",
        (case, method),
    ).fetchone()
    return decode_array(*row, path=path)


def test_study_holds_every_output_losslessly_and_the_settings(tmp_path: Path) -> None:
    from denoscope.core.baselines import BASELINES
    from denoscope.core.intensity import normalization_for
    from denoscope.core.io import load_study
    from denoscope.core.noise import add_noise

    cases = make_cases(tmp_path / "cases", n=2)
    before = _digest(cases)
    model = make_model(tmp_path)
    spec = StudySpec(
        cases=cases,
        methods=["model", "nlmeans", "noisy"],
        level=0.1,
        seed=7,
        model=model,
        lpips=False,
        criteria=[("overall", "Overall")],
    )
    out = create_study(spec, tmp_path / "s.denostudy")
    assert _digest(cases) == before, "creating a study must not touch the sources"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["cases", "s.denostudy", model.name, model.with_suffix(".json").name]
    ), "no temporary or -wal file is left behind"

    conn = connect(out, readonly=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    meta = {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM meta")}
    settings = meta["settings"]
    assert meta["methods"] == ["model", "nlmeans", "noisy"] and meta["seed"] == 7
    assert settings["noise"]["name"] == "gaussian"
    assert settings["models"][model.name]["cases"] == [1, 2]
    assert settings["models"][model.name]["weights_sha256"]
    assert settings["baseline_sigma_rule"] == "the Gaussian level itself"

    # Case 1 (position 0, frame 0) equals what the viewer's review pipeline computes for it.
    from denoscope.core.review import ReviewParams, prepare_study, review_slice

    params = ReviewParams(
        modality="unknown",
        model_path=model,
        noise="gaussian",
        level=0.1,
        seed=7,
        device="cpu",
        baseline="nlmeans",
    )
    viewer = review_slice(prepare_study(load_study(cases / "img1.png")), 0, params)
    np.testing.assert_array_equal(_image(conn, 1, "reference", out), viewer.truth01)
    np.testing.assert_array_equal(_image(conn, 1, "noisy", out), viewer.noisy01)
    np.testing.assert_array_equal(_image(conn, 1, "model", out), viewer.denoised01)
    np.testing.assert_array_equal(_image(conn, 1, "nlmeans", out), viewer.baseline01)

    # Case 2 recomputed independently from the recorded settings: identical arrays.
    study = load_study(cases / "img2.png")
    clean = normalization_for(study.frames, "unknown").to_unit(study.frames[0])
    noisy = add_noise(clean, "gaussian", 0.1, rng=np.random.default_rng([7, 1]))
    np.testing.assert_array_equal(_image(conn, 2, "reference", out), clean)
    np.testing.assert_array_equal(_image(conn, 2, "noisy", out), noisy)
    np.testing.assert_array_equal(
        _image(conn, 2, "nlmeans", out), BASELINES["nlmeans"].apply(noisy, level=0.1)
    )
    psnr = conn.execute(
        "SELECT value FROM metrics WHERE case_id = 2 AND method = 'noisy' AND name = 'psnr'"
    ).fetchone()[0]
    from denoscope.core.metrics import psnr as psnr_of

    assert psnr == pytest.approx(psnr_of(clean, noisy, data_range=1.0))
    assert conn.execute("SELECT COUNT(*) FROM trials").fetchone()[0] == 2 * 3
    conn.close()


def test_pairwise_trials_are_every_pair_of_every_case(tmp_path: Path) -> None:
    out = make_study(tmp_path, design="pairwise", methods=("gaussian", "nlmeans", "noisy"))
    conn = connect(out, readonly=True)
    pairs = conn.execute("SELECT case_id, method_a, method_b FROM trials").fetchall()
    conn.close()
    assert len(pairs) == 3 * 3
    assert {(a, b) for _c, a, b in pairs} == {
        ("gaussian", "nlmeans"),
        ("gaussian", "noisy"),
        ("nlmeans", "noisy"),
    }


@pytest.mark.parametrize(
    ("methods", "message"),
    [
        (["gaussian", "magic"], "unknown method"),
        (["gaussian", "gaussian"], "listed twice"),
        ([], "no methods"),
    ],
)
def test_bad_methods_are_refused(tmp_path: Path, methods: list[str], message: str) -> None:
    cases = make_cases(tmp_path / "cases", n=1)
    with pytest.raises(ParameterError, match=message):
        create_study(StudySpec(cases=cases, methods=methods), tmp_path / "s.denostudy")
    assert not (tmp_path / "s.denostudy").exists()


def test_bm3d_without_its_package_says_how_to_install() -> None:
    from denoscope.core.study.design import parse_methods

    with pytest.raises(ParameterError, match="BM3D is not installed") as info:
        parse_methods("bm3d,noisy", available=["nlmeans", "gaussian"])
    assert "denoscope[bench]" in str(info.value)
    assert parse_methods("bm3d,noisy", available=["bm3d"]) == ["bm3d", "noisy"]


def test_unreadable_case_names_the_file_and_leaves_nothing(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases", n=2)
    (cases / "0notes.txt").write_text("not an image")  # sorts first: fails fast
    with pytest.raises(StudyLoadError) as info:
        create_study(
            StudySpec(cases=cases, methods=["gaussian", "noisy"]), tmp_path / "s.denostudy"
        )
    assert "0notes.txt" in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases"]


def test_missing_cases_folder_and_existing_output_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StudyLoadError, match="cases folder does not exist"):
        create_study(
            StudySpec(cases=tmp_path / "nope", methods=["noisy"]), tmp_path / "s.denostudy"
        )
    out = make_study(tmp_path, methods=("gaussian", "noisy"), n_cases=1)
    before = out.read_bytes()
    spec = StudySpec(cases=tmp_path / "cases", methods=["noisy"])
    with pytest.raises(OutputExistsError, match="already exists"):
        create_study(spec, out)
    assert out.read_bytes() == before
    create_study(spec, out, overwrite=True)
    assert out.read_bytes() != before
    with pytest.raises(ParameterError, match="end in .denostudy"):
        create_study(spec, tmp_path / "s.sqlite")


def test_damaged_foreign_and_newer_files_are_refused_unchanged(tmp_path: Path) -> None:
    from denoscope.core.study import ReaderSession
    from denoscope.core.study.results import load_results

    damaged = tmp_path / "damaged.denostudy"
    damaged.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    foreign = tmp_path / "foreign.denostudy"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    newer = make_study(tmp_path, methods=("gaussian", "noisy"), n_cases=1, name="newer.denostudy")
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    truncated = tmp_path / "truncated.denostudy"
    full = make_study(tmp_path / "t", methods=("gaussian", "noisy"), n_cases=1)
    truncated.write_bytes(full.read_bytes()[:6000])
    expected = {
        damaged: "not a study file, or a damaged one",
        foreign: "not a Denoscope study",
        newer: "newer Denoscope",
        truncated: "damaged",
        tmp_path / "missing.denostudy": "no such study file",
    }
    for path, message in expected.items():
        before = path.read_bytes() if path.exists() else None
        for opener in (lambda p: ReaderSession(p, "AB"), load_results):
            with pytest.raises(StudyFileError, match=message):
                opener(path)
        after = path.read_bytes() if path.exists() else None
        assert after == before, f"{path.name} was changed"


def test_a_full_disk_during_creation_is_a_clear_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from denoscope.core.study import schema

    original = schema.connect

    def small_disk(path, **kwargs):
        conn = original(path, **kwargs)
        conn.execute("PRAGMA max_page_count = 40")  # about 160 kB
        return conn

    monkeypatch.setattr(schema, "connect", small_disk)
    cases = make_cases(tmp_path / "cases", n=3, size=96)
    with pytest.raises(StudyFileError, match="cannot write the study file"):
        create_study(
            StudySpec(cases=cases, methods=["gaussian", "median", "noisy"], lpips=False),
            tmp_path / "s.denostudy",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases"]


def test_criteria_and_designs_are_parsed_and_checked() -> None:
    from denoscope.core.study.design import DEFAULT_CRITERIA, parse_criteria, trial_list

    assert parse_criteria(None) == list(DEFAULT_CRITERIA)
    assert parse_criteria("overall, edges=Edges (1 lost - 5 kept)") == [
        ("overall", dict(DEFAULT_CRITERIA)["overall"]),
        ("edges", "Edges (1 lost - 5 kept)"),
    ]
    with pytest.raises(ParameterError, match="listed twice"):
        parse_criteria("noise,noise")
    with pytest.raises(ParameterError, match="short name"):
        parse_criteria("over all")
    with pytest.raises(ParameterError, match="at least two methods"):
        trial_list(3, ["noisy"], "pairwise")
    with pytest.raises(ParameterError, match="unknown design"):
        trial_list(3, ["noisy"], "ranking")
    assert len(trial_list(2, ["a", "b", "c"], "likert")) == 6
