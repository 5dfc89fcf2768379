"""``denoscope bench speed``: time every architecture against NL-means and BM3D.

Measured on the current device with freshly initialised networks of the
shipped configs (weights do not change speed) on a real image (scikit-image's
``camera``, 512 x 512, with Gaussian noise sigma 0.1; a 128 x 128 resize of
it). ``res-cae v2`` is the shipped configuration (noise-level map input,
resize-conv decoder), timed with its noise map estimated from the image, the
path real input takes. Each timing is the median of ``--repeats`` runs after one warm-up run,
through :func:`denoscope.core.inference.denoise` (padding, tiling and copies
included). Peak memory is the highest resident set size sampled every 2 ms
during the runs (warm-up included) minus the RSS before them, after
``malloc_trim`` (CPU), or
``torch.cuda.max_memory_allocated`` (CUDA). The series run shows that memory
stays flat: RSS after 10, 25, 50, 75 and 100 slices, less the output written so far.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HELP = "ms per 512x512 slice and 128x128 image for each network, NL-means and BM3D"

NOISE_SIGMA = 0.1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``bench speed``."""
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per case (median)")
    parser.add_argument(
        "--arch",
        action="append",
        default=None,
        help="architecture(s) to time (default: all)",
    )
    parser.add_argument(
        "--series", type=int, default=100, help="slices in the series run (0: skip)"
    )
    parser.add_argument("--skip-bm3d", action="store_true", help="skip BM3D (~15 s per 512² run)")
    parser.add_argument("--skip-nlmeans", action="store_true", help="skip non-local means")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")


class _PeakRSS:
    """Sample this process's resident set size in a thread; report the peak above the start."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.start = _rss_bytes()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, _rss_bytes())

    def __enter__(self) -> _PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())

    @property
    def delta_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover - not Linux
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _release_freed_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS (glibc), for a fair baseline."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def _images() -> tuple[np.ndarray, np.ndarray]:
    from skimage import data
    from skimage.transform import resize

    clean = (data.camera() / 255.0).astype(np.float32)
    rng = np.random.default_rng(0)
    noisy512 = np.clip(clean + rng.normal(0, NOISE_SIGMA, clean.shape), 0, 1).astype(np.float32)
    small = resize(clean, (128, 128), anti_aliasing=True).astype(np.float32)
    noisy128 = np.clip(small + rng.normal(0, NOISE_SIGMA, small.shape), 0, 1).astype(np.float32)
    return noisy512, noisy128


def _time(
    fn: Callable[[], Any], repeats: int, cuda: bool, *, warm_up: bool = True
) -> tuple[float, float, float, float]:
    """Return (median ms, best ms, median CPU ms, peak MB) of ``fn``, after a warm-up call.

    CPU ms is this process's CPU time (all threads): on a shared machine it
    shows the work done, which other processes' load does not inflate as
    much as wall time (with one thread it is close to the unloaded wall time).
    """
    import torch

    _release_freed_memory()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    times = []
    cpu_times = []
    with _PeakRSS() as rss:
        if warm_up:  # not timed, but its memory counts (first-call allocations)
            fn()
        for _ in range(repeats):
            c0 = time.process_time()
            t0 = time.perf_counter()
            fn()
            if cuda:
                torch.cuda.synchronize()
            times.append((time.perf_counter() - t0) * 1000)
            cpu_times.append((time.process_time() - c0) * 1000)
    memory = (torch.cuda.max_memory_allocated() - base) / 2**20 if cuda else rss.delta_mb
    return statistics.median(times), min(times), statistics.median(cpu_times), memory


def _series(model: Any, slice512: np.ndarray, n: int, device: str) -> dict[str, Any]:
    from denoscope.core.inference import denoise

    rng = np.random.default_rng(1)
    stack = np.empty((n, *slice512.shape), dtype=np.float32)
    for i in range(n):  # the same anatomy, fresh noise per slice
        stack[i] = np.clip(slice512 + rng.normal(0, 0.02, slice512.shape), 0, 1)
    checkpoints = {k for k in (10, 25, 50, 75, 100, n) if k <= n}
    samples: dict[int, float] = {}
    slice_bytes = slice512.nbytes
    _release_freed_memory()
    base = _rss_bytes()

    def progress(done: int, total: int) -> None:
        if done in checkpoints and done not in samples:
            samples[done] = (_rss_bytes() - base - done * slice_bytes) / 2**20

    t0 = time.perf_counter()
    result = denoise(stack, model, device=device, progress=progress)
    seconds = time.perf_counter() - t0
    return {
        "slices": n,
        "seconds": seconds,
        "ms_per_slice": seconds * 1000 / n,
        "slices_per_s": n / seconds,
        "working_mb_after": {str(k): round(v, 1) for k, v in sorted(samples.items())},
        "device": result.device,
    }


def run(args: argparse.Namespace) -> int:
    """Run the speed benchmark and print a table."""
    import platform

    import torch

    from denoscope.core.devices import configure_cpu_threads, resolve_device
    from denoscope.core.inference import denoise
    from denoscope.core.models import ARCHITECTURES, build_model, default_config

    if args.threads:
        torch.set_num_threads(args.threads)
    threads = configure_cpu_threads()
    device, note = resolve_device(args.device)
    cuda = device.type == "cuda"
    noisy512, noisy128 = _images()
    rows: list[dict[str, Any]] = []
    archs = args.arch or list(ARCHITECTURES)
    where = torch.cuda.get_device_name(device) if cuda else platform.processor() or "cpu"
    print(f"device: {device} ({where}); torch {torch.__version__}, {threads} CPU threads")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if note:
        print(f"note: {note}")
    print(f"input: skimage camera + Gaussian sigma {NOISE_SIGMA}; {args.repeats} runs per case\n")

    cases: list[tuple[str, int | None, Callable[[np.ndarray], Any], bool]] = []
    for arch in archs:
        model = build_model(default_config(arch))
        cases.append(
            (
                arch,
                model.parameter_count,
                lambda image, m=model: denoise(image, m, device=str(device)),
                False,
            )
        )
    if "res-cae" in archs:
        from denoscope.core.models.config import SHIPPED_RES_CAE

        shipped = build_model(SHIPPED_RES_CAE)
        # the noise map estimated from the image (real input: the costlier path) is timed too
        cases.append(
            (
                "res-cae v2",
                shipped.parameter_count,
                lambda image, m=shipped: denoise(image, m, device=str(device)),
                False,
            )
        )
    if not (args.skip_nlmeans and args.skip_bm3d):
        from denoscope.core.baselines import BASELINES

        peers = [] if args.skip_nlmeans else ["nlmeans"]
        if not args.skip_bm3d:
            if "bm3d" in BASELINES:
                peers.append("bm3d")
            else:
                print("BM3D: not installed (pip install 'denoscope[bench]'); skipped")
        for name in peers:
            baseline = BASELINES[name]
            apply = lambda image, b=baseline: b.apply(image, level=NOISE_SIGMA)  # noqa: E731
            cases.append((name, None, apply, name == "bm3d"))  # bm3d: ~15 s, one run

    for name, params, fn, slow in cases:
        row: dict[str, Any] = {"method": name, "params": params}
        for size, image in (("512", noisy512), ("128", noisy128)):
            median, best, cpu, memory = _time(
                lambda f=fn, x=image: f(x),
                1 if slow else args.repeats,
                cuda and params is not None,
                warm_up=not slow,
            )
            row.update(
                {
                    f"ms_{size}": median,
                    f"best_ms_{size}": best,
                    f"cpu_ms_{size}": cpu,
                    f"peak_mb_{size}": memory,
                }
            )
        rows.append(row)

    reference = next((r for r in rows if r["method"] == "nlmeans"), None)
    header = (
        f"{'method':<11} {'params':>9} {'ms/512²':>9} {'(best)':>8} {'CPU ms':>8} {'ms/128²':>8} "
        f"{'(best)':>7} {'vs NLM':>7} {'peak MB 512²':>12} {'128²':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = row["ms_512"] / reference["ms_512"] if reference else None
        row["ratio_vs_nlmeans_512"] = ratio
        params = f"{row['params']:,}" if row["params"] is not None else "-"
        print(
            f"{row['method']:<11} {params:>9} {row['ms_512']:>9.1f} {row['best_ms_512']:>8.1f} "
            f"{row['cpu_ms_512']:>8.1f} {row['ms_128']:>8.1f} {row['best_ms_128']:>7.1f} "
            f"{f'{ratio:.2f}x' if ratio is not None else '-':>7} "
            f"{row['peak_mb_512']:>12.1f} {row['peak_mb_128']:>6.1f}"
        )
    print(
        "(ms: wall-clock median, and best, of the runs; CPU ms: median process CPU time per "
        "512² run, all threads;\n vs NLM: median 512² time / NL-means', < 1 is faster; "
        "peak MB: RSS rise during the runs, warm-up included.)"
    )

    results: dict[str, Any] = {"device": str(device), "threads": threads, "rows": rows}
    if args.series > 0:
        model = build_model(default_config("res-cae"))
        series = _series(model, noisy512, args.series, str(device))
        results["series"] = series
        print(
            f"\nseries: res-cae, {series['slices']} slices of 512², {series['seconds']:.1f} s, "
            f"{series['ms_per_slice']:.1f} ms/slice, {series['slices_per_s']:.2f} slices/s"
        )
        print(
            "working memory (RSS rise minus output written) after N slices, MB: "
            + ", ".join(f"{k}: {v}" for k, v in series["working_mb_after"].items())
        )
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        from denoscope.core.io.outputs import write_text

        write_text(args.json, json.dumps(results, indent=2) + "\n", overwrite=True)
    return 0
