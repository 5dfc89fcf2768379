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
            "--skip-big",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "event-loop stalls" in out and "max" in out and "p99" in out
    assert "first study opened" in out and "series switch" in out
    assert "(match)" in out


def test_big_image_case_reports_first_result_lpips_and_memory(tiny_model):
    from denoscope.app.bench_big import measure_big_image

    numbers = measure_big_image(tiny_model, "cpu", shape=(1040, 900))
    assert numbers["shape"] == [1040, 900]
    assert numbers["denoised"] and numbers["first_result_s"] > 0
    assert "1/2 downsampled copy" in numbers["lpips_label"]
    assert numbers["lpips_s"] is not None and numbers["peak_rss_mb"] > 0
