"""``denoscope bench ui`` runs end to end on a tiny series and prints its numbers (no timing asserted)."""

from __future__ import annotations

import pytest

from denoscope.cli import main

pytestmark = pytest.mark.slow


def test_bench_ui_prints_stalls(tiny_model, capsys, qapp, monkeypatch):
    # The process-wide tuning would outlive this test: not here.
    monkeypatch.setattr("denoscope.app.tuning.tune_for_interactive_use", lambda: None)
    status = main(
        [
            "bench",
            "ui",
            "--slices",
            "3",
            "--size",
            "64",
            "--moves",
            "5",
            "--move-ms",
            "10",
            "--device",
            "cpu",
            "--model",
            str(tiny_model),
            "--skip-cold-start",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "event-loop stalls" in out and "max" in out and "p99" in out
    assert "(match)" in out
