"""``denoscope bench ui``: viewer responsiveness and cold start (prints numbers, asserts nothing).

Two measurements:

* **Cold start**: a fresh Python process is launched to open the viewer
  (``python -m denoscope.app.bench_ui --child``); the time from launch to the
  first paint of the image panes (the window on screen) is reported, and whether torch had been imported by then
  (it should not be: torch is imported lazily by the first background job).
  The time to the first denoised result is reported too.
* **Stalls on first open and series switch**, and an **8-megapixel radiograph**
  (first result, LPIPS on its downsampled copy, peak RSS): see
  :mod:`denoscope.app.bench_big` (``--skip-open-stalls``, ``--skip-big``).
* **Event-loop stalls**: a 100-slice series (the bundled CT slice, upsampled
  and shifted per slice, written as 16-bit PNGs in a temporary folder) is
  opened, and its whole denoised series is exported in the background (so the
  series is being denoised), while the noise-level slider is moved every
  ``--move-ms`` (each move denoises the shown slice again, latest wins).
  The probe starts after the first slice result and its LPIPS, so one-time
  imports and the LPIPS network build are not counted.
  A ``QTimer`` probe firing every ``--probe-ms`` records the gaps between its
  ticks; a stall is a gap minus the probe interval. Max and p99 are printed
  (target: max < 50 ms).

Without a trained model shipped, a freshly initialised network of the shipped
res-cae architecture is used (weights do not change speed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP = "viewer responsiveness: event-loop stalls while a series is denoised, and cold start"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``bench ui``."""
    parser.add_argument("--slices", type=int, default=100, help="slices in the series")
    parser.add_argument("--size", type=int, default=512, help="slice side in pixels")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--moves", type=int, default=150, help="level slider moves")
    parser.add_argument("--move-ms", type=int, default=30, help="ms between slider moves")
    parser.add_argument("--probe-ms", type=int, default=5, help="probe timer interval in ms")
    parser.add_argument(
        "--model", type=Path, default=None, help="model file (default: shipped CT, else untrained)"
    )
    parser.add_argument("--skip-cold-start", action="store_true")
    parser.add_argument(
        "--skip-open-stalls",
        action="store_true",
        help="skip the stall measurement of the first open and a series switch",
    )
    parser.add_argument(
        "--skip-big",
        action="store_true",
        help="skip the 8-megapixel radiograph case (first result, LPIPS, peak RSS)",
    )
    parser.add_argument("--cold-runs", type=int, default=3, help="cold starts to time (median)")


def _write_series(folder: Path, n: int, size: int) -> None:
    """Write ``n`` 16-bit PNG slices (CT sample + 1024, upsampled and shifted)."""
    import numpy as np
    from PIL import Image

    from denoscope.core.io import load_study
    from denoscope.core.resources import sample_path

    frame = load_study(sample_path("ct")).frames[0]
    reps = max(size // frame.shape[0], 1)
    big = np.kron(frame, np.ones((reps, reps), np.float32))[:size, :size]
    stored = np.clip(big + 1024.0, 0, 65535).astype(np.uint16)
    for index in range(n):
        shifted = np.roll(stored, (index * 3, index * 2), axis=(0, 1))
        Image.fromarray(shifted).save(folder / f"slice_{index:04d}.png")


def _model_file(args: argparse.Namespace, folder: Path) -> tuple[Path, str]:
    from denoscope.core.errors import ModelFileError
    from denoscope.core.model_registry import shipped_model

    if args.model is not None:
        return args.model, f"model file {args.model.name}"
    try:
        return shipped_model("ct"), "shipped CT model"
    except ModelFileError:
        pass
    import torch

    from denoscope.core.checkpoint import save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import build_model, default_config

    torch.manual_seed(0)
    config = default_config("res-cae")
    path = folder / "untrained-res-cae.safetensors"
    save_model(
        path,
        build_model(config),
        ModelCard(name="untrained res-cae", architecture=config, modality="ct"),
    )
    return path, "untrained res-cae (shipped architecture; no shipped CT model here)"


def _percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def measure_stalls(args: argparse.Namespace) -> dict[str, float]:
    """Open a series, move the level slider, and probe the event loop (see module doc)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from denoscope.app.main_window import MainWindow
    from denoscope.app.settings import Settings
    from denoscope.app.theme import apply_theme
    from denoscope.app.tuning import tune_for_interactive_use

    tune_for_interactive_use()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)
    from denoscope.app import gui_gc

    with gui_gc.pinned(), tempfile.TemporaryDirectory(prefix="denoscope-bench-ui-") as tmp:
        folder = Path(tmp) / "series"
        folder.mkdir()
        _write_series(folder, args.slices, args.size)
        model, model_note = _model_file(args, Path(tmp))
        window = MainWindow(Settings(Path(tmp) / "settings.ini"), series_metrics=True)
        window.resize(1600, 1000)
        window.show()
        window.state.set_params(model_path=model, device=args.device, baseline="median")
        start = time.perf_counter()
        loop = QEventLoop()
        window.state.resultChanged.connect(loop.quit)
        window.controller.settled.connect(loop.quit)
        window.open_path(folder, modality="ct")
        loop.exec()  # until the first slice result (or an error settles everything)
        window.state.resultChanged.disconnect(loop.quit)
        window.controller.settled.disconnect(loop.quit)
        if window.state.result is None:
            raise RuntimeError(window.state.last_error or "the series gave no result")
        first_result_s = time.perf_counter() - start
        # One-time costs (first LPIPS network build) happen before the probe starts.
        if window.controller.lpips.is_busy():
            loop = QEventLoop()
            window.controller.lpips.idle.connect(loop.quit)
            QTimer.singleShot(120_000, loop.quit)
            loop.exec()

        # The series being denoised meanwhile: an export of the whole denoised series.
        from denoscope.app.export import export_denoised

        state = window.state
        window.controller.export.submit(
            export_denoised,
            state.study,
            state.result,
            state.params,
            Path(tmp) / "out.png",
            series=True,
        )
        gaps: list[float] = []
        clock = QElapsedTimer()
        probe = QTimer()
        probe.setInterval(args.probe_ms)

        def tick() -> None:
            gaps.append(clock.nsecsElapsed() / 1e6)
            clock.restart()

        probe.timeout.connect(tick)
        mover = QTimer()
        mover.setInterval(args.move_ms)
        counts = {"moves": 0, "series_busy": 0}
        slider = window.controls.level_slider
        loop = QEventLoop()

        def move() -> None:
            counts["moves"] += 1
            counts["series_busy"] += int(window.controller.export.is_busy())
            slider.setValue(100 + (counts["moves"] * 37) % 800)
            if counts["moves"] >= args.moves:
                mover.stop()
                # Then wait for the last request's slice result to be shown.
                window.controller.denoiser.idle.connect(loop.quit)
                if not window.controller.denoiser.is_busy():
                    loop.quit()

        mover.timeout.connect(move)
        QTimer.singleShot(600_000, loop.quit)
        clock.start()
        probe.start()
        mover.start()
        t0 = time.perf_counter()
        loop.exec()
        elapsed = time.perf_counter() - t0
        series_busy_during = counts["series_busy"]
        probe.stop()
        elapsed = time.perf_counter() - t0
        stalls = [max(gap - args.probe_ms, 0.0) for gap in gaps[1:]]
        result = window.state.result
        window.close()
    return {
        "model": model_note,
        "first_result_s": first_result_s,
        "seconds": elapsed,
        "ticks": float(len(stalls)),
        "max_ms": max(stalls, default=0.0),
        "p99_ms": _percentile(stalls, 99),
        "p50_ms": _percentile(stalls, 50),
        "final_level_shown": float(result.params.level) if result else float("nan"),
        "final_level_set": float(window.state.params.level),
        "device": (result.device if result else None) or "none",
        "series_busy_fraction": series_busy_during / max(args.moves, 1),
    }


def _child() -> int:
    """Cold-start child: open the viewer on the CT sample, report when shown and first result."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from denoscope.app.main_window import MainWindow
    from denoscope.app.settings import Settings
    from denoscope.app.theme import apply_theme
    from denoscope.app.tuning import tune_for_interactive_use
    from denoscope.core.resources import sample_path

    tune_for_interactive_use()
    app = QApplication(sys.argv[:1])
    apply_theme(app)
    from denoscope.app import gui_gc

    with gui_gc.pinned(), tempfile.TemporaryDirectory(prefix="denoscope-cold-") as tmp:
        window = MainWindow(Settings(Path(tmp) / "settings.ini"), series_metrics=False)

        class FirstPaint(QObject):
            """Reports the first paint of the image panes: the window is on screen."""

            seen = False

            def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt naming
                if event.type() == QEvent.Type.Paint and not self.seen:
                    self.seen = True
                    stamp = time.time()
                    print(f"SHOWN {stamp:.6f} torch={'torch' in sys.modules}", flush=True)
                return False

        first_paint = FirstPaint()
        window.panes.graphics.viewport().installEventFilter(first_paint)
        window.show()
        window.open_path(sample_path("ct"))
        window.state.resultChanged.connect(
            lambda _r: (print(f"RESULT {time.time():.6f}", flush=True), app.quit())
        )
        window.state.message.connect(lambda kind, _t: app.quit() if kind == "error" else None)
        QTimer.singleShot(120_000, app.quit)
        app.exec()
        window.close()
    return 0


def measure_cold_start(runs: int) -> dict[str, float | str]:
    """Launch the viewer ``runs`` times in fresh processes; median times in seconds."""
    import statistics

    shown, result, torch_at_show = [], [], []
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for _ in range(runs):
        launched = time.time()
        proc = subprocess.run(
            [sys.executable, "-m", "denoscope.app.bench_ui", "--child"],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        for line in proc.stdout.splitlines():
            if line.startswith("SHOWN "):
                stamp, flag = line.split()[1:3]
                shown.append(float(stamp) - launched)
                torch_at_show.append(flag.endswith("True"))
            elif line.startswith("RESULT "):
                result.append(float(line.split()[1]) - launched)
    return {
        "shown_s": statistics.median(shown) if shown else float("nan"),
        "first_result_s": statistics.median(result) if result else float("nan"),
        "torch_imported_at_show": "yes" if any(torch_at_show) else "no",
        "runs": float(len(shown)),
    }


def run(args: argparse.Namespace) -> int:
    """Run the benchmark and print its numbers."""
    print(
        f"denoscope bench ui: {args.slices} slices of {args.size}x{args.size}, "
        f"{args.moves} level moves every {args.move_ms} ms, probe every {args.probe_ms} ms"
    )
    stalls = measure_stalls(args)
    print(f"model: {stalls['model']} on {stalls['device']}")
    print(f"series opened, first slice shown after {stalls['first_result_s']:.2f} s")
    print(
        f"event-loop stalls over {stalls['seconds']:.1f} s ({int(stalls['ticks'])} probe ticks): "
        f"max {stalls['max_ms']:.1f} ms, p99 {stalls['p99_ms']:.1f} ms, "
        f"median {stalls['p50_ms']:.1f} ms (target: max < 50 ms)"
    )
    print(
        f"series export still running at {stalls['series_busy_fraction']:.0%} of the slider moves"
    )
    print(
        f"final level set {stalls['final_level_set']:.4g}, shown {stalls['final_level_shown']:.4g} "
        f"({'match' if stalls['final_level_set'] == stalls['final_level_shown'] else 'MISMATCH'})"
    )
    if not args.skip_open_stalls or not args.skip_big:
        from denoscope.app.bench_big import (
            measure_big_image,
            measure_open_and_switch,
            print_big,
            print_open,
        )

        if not args.skip_open_stalls:
            print_open(measure_open_and_switch(args.model, args.device))
        if not args.skip_big:
            print_big(measure_big_image(args.model, args.device))
    if not args.skip_cold_start:
        cold = measure_cold_start(args.cold_runs)
        print(
            f"cold start to shown window: {cold['shown_s']:.2f} s (median of {int(cold['runs'])}; "
            f"target < 3 s); torch imported by then: {cold['torch_imported_at_show']}; "
            f"first denoised result: {cold['first_result_s']:.2f} s"
        )
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        sys.exit(_child())
    parser = argparse.ArgumentParser(prog="python -m denoscope.app.bench_ui", description=HELP)
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
