"""``denoscope bench trust`` prints a timing per map (no timed assertions)."""

from __future__ import annotations


def test_bench_trust_prints_timings(capsys):
    from denoscope.cli import main

    assert main(["bench", "trust", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("removed structure (noise model sigma, calibrated)", "edge maps"):
        assert name in out
    assert out.count(" ms") == 3
