"""``denoscope bench speed`` runs end to end and reports its numbers (no timing asserted)."""

from __future__ import annotations

import json

from denoscope.cli import main


def test_bench_speed_smoke(tmp_path, capsys):
    out = tmp_path / "speed.json"
    status = main(
        [
            "bench",
            "speed",
            "--device",
            "cpu",
            "--threads",
            "1",
            "--arch",
            "res-cae",
            "--repeats",
            "1",
            "--series",
            "3",
            "--skip-bm3d",
            "--skip-nlmeans",
            "--json",
            str(out),
        ]
    )
    assert status == 0
    results = json.loads(out.read_text())
    row, shipped = results["rows"]
    assert row["method"] == "res-cae" and row["params"] > 0
    assert shipped["method"] == "res-cae v2" and shipped["params"] > 0
    assert row["ms_512"] > 0 and row["ms_128"] > 0
    assert results["series"]["slices"] == 3
    assert set(results["series"]["working_mb_after"]) == {"3"}
    assert "ms/512²" in capsys.readouterr().out


def test_bench_without_a_benchmark_is_a_user_error(capsys):
    assert main(["bench"]) == 2
    assert "speed" in capsys.readouterr().err
