"""``denoscope bench trust``: time the trust maps on one 512 x 512 slice.

Input: scikit-image's ``camera`` (512 x 512, [0, 1]) with Gaussian noise
σ = 0.1 (seed 0), denoised once by a Gaussian filter (the maps' cost does not
depend on the denoiser). Timed, as the median of ``--repeats`` runs after one
warm-up: the removed-structure map (local σ of the noise model and the
correlation calibration included, as the viewer computes it with a known truth;
and with σ estimated from the image, as on real input),
the edge maps (invented, lost, signed difference) and, with a model, the
8-fold TTA uncertainty (8 inferences) and K = 8 noise re-draws.
"""

from __future__ import annotations

import argparse
import statistics
import time

HELP = "seconds per 512x512 slice for the trust maps (removed structure, edges, TTA, re-draws)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``bench trust``."""
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per case (median)")
    parser.add_argument(
        "--model",
        default=None,
        help="also time TTA and re-draws with this model (ct, mri, xray, FILE)",
    )
    parser.add_argument("--device", default="cpu", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")


def _median_seconds(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(args: argparse.Namespace) -> int:
    """Print the timings."""
    import numpy as np
    from scipy import ndimage
    from skimage import data

    from denoscope.core.noise import add_noise
    from denoscope.core.trust import edge_maps, local_sigma, removed_structure
    from denoscope.core.trust.lesions import anatomy_mask
    from denoscope.core.trust.removed import correlation_factor

    clean = (data.camera() / 255.0).astype(np.float32)
    noisy = np.asarray(add_noise(clean, "gaussian", 0.1, rng=0), np.float32)
    denoised = ndimage.gaussian_filter(noisy, 1.5).astype(np.float32)
    print(
        f"input: skimage camera {clean.shape[0]}x{clean.shape[1]}, Gaussian sigma 0.1; "
        f"median of {args.repeats} runs\n"
    )
    rows = []

    def removed() -> None:  # what the viewer does when the truth is known
        sigma = local_sigma("gaussian", clean, noisy, 0.1)
        factor = correlation_factor(noisy - clean, sigma, mask=anatomy_mask(clean))
        removed_structure(noisy, denoised, sigma, correlation=factor)

    def removed_real() -> None:
        sigma = local_sigma(None, None, noisy, None)
        removed_structure(noisy, denoised, sigma)

    rows.append(
        (
            "removed structure (noise model sigma, calibrated)",
            _median_seconds(removed, args.repeats),
        )
    )
    rows.append(
        ("removed structure (estimated sigma)", _median_seconds(removed_real, args.repeats))
    )
    rows.append(
        (
            "edge maps (invented, lost, signed)",
            _median_seconds(lambda: edge_maps(denoised, clean, scale=4095.0), args.repeats),
        )
    )
    if args.model:
        from denoscope.core.checkpoint import load_model
        from denoscope.core.devices import configure_cpu_threads
        from denoscope.core.trust import model_denoiser, redraw_uncertainty, tta_uncertainty

        if args.threads:
            import torch

            configure_cpu_threads()
            torch.set_num_threads(args.threads)
        path = args.model
        if path in ("mri", "ct", "xray"):
            from denoscope.core.model_registry import shipped_model

            path = shipped_model(path)
        model = model_denoiser(load_model(path), device=args.device, noise="gaussian", level=0.1)
        one = _median_seconds(lambda: model(noisy), 1)
        tta = tta_uncertainty(noisy, model)
        redraw = redraw_uncertainty(clean, model, noise="gaussian", level=0.1, draws=8)
        rows += [
            ("one inference", one),
            ("TTA uncertainty (8 inferences)", tta.seconds),
            ("re-draw uncertainty (K = 8)", redraw.seconds),
        ]
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds * 1000:8.1f} ms")
    return 0
