"""Evaluate a model against the noisy input and classical denoisers on test images.

For each image and noise setting, noise is drawn once (seeded by image index)
and every method sees the same noisy image. Baselines take the noise's
Gaussian-equivalent sigma by the review pipeline's rule
(:func:`denoscope.core.review.baseline_sigma`): the true level for Gaussian
noise, and for other noise models the standard deviation of (noisy - clean)
measured on the image itself ("oracle" sigma, which favours the baselines), or
the blind :func:`denoscope.core.baselines.estimate_sigma` with
``sigma="estimate"``. The model runs as in the viewer and ``denoise``
(:func:`denoscope.core.review.run_model`: its noise-level map times
``strength`` when it takes one). Slice-level noise (low-dose CT) is drawn on
the whole slice before the crop. Metrics are those of the metric table
(:data:`denoscope.core.metrics.METRICS`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.evaluation.images import TestImage, center_crop, resize_report1
from denoscope.core.metrics.table import METRIC_KEYS
from denoscope.core.noise import NOISE_MODELS

#: Classical methods compared by default (BM3D joins when installed).
DEFAULT_BASELINES: tuple[str, ...] = (
    "median",
    "gaussian",
    "bilateral",
    "tv",
    "wavelet",
    "nlmeans",
    "bm3d",
)

#: The first report's published mean metrics (52 test images, its Gaussian preset, 128 x 128).
REPORT1_TABLE: dict[str, float] = {"psnr": 29.55, "ssim": 0.874, "mae": 0.0226, "lpips": 0.085}

#: Metric keys of every row, in the metric table's order.
METRICS: tuple[str, ...] = METRIC_KEYS


@dataclass
class Row:
    """One (image, setting, method) measurement."""

    image_id: str
    setting: str
    method: str
    metrics: dict[str, float | None]
    seconds: float
    sigma: float


@dataclass
class EvaluationResult:
    """All rows plus what produced them."""

    rows: list[Row]
    model: str
    settings: list[str]
    methods: list[str]
    info: dict[str, Any] = field(default_factory=dict)

    def means(self) -> dict[str, dict[str, dict[str, float | None]]]:
        """Mean metrics and seconds per image, by setting then method."""
        out: dict[str, dict[str, dict[str, float | None]]] = {}
        for setting in self.settings:
            for method in self.methods:
                rows = [r for r in self.rows if r.setting == setting and r.method == method]
                if not rows:
                    continue
                entry: dict[str, float | None] = {}
                for m in METRICS:
                    vals = [r.metrics[m] for r in rows if r.metrics.get(m) is not None]
                    entry[m] = float(np.mean(vals)) if vals else None
                entry["seconds"] = float(np.mean([r.seconds for r in rows]))
                entry["images"] = float(len(rows))
                out.setdefault(setting, {})[method] = entry
        return out

    def as_json(self) -> dict[str, Any]:
        """JSON-ready dict: info, means and per-image rows."""
        return {
            "model": self.model,
            "settings": self.settings,
            "methods": self.methods,
            "info": self.info,
            "means": self.means(),
            "per_image": [r.__dict__ for r in self.rows],
        }


def _cache_key(clean: np.ndarray, noisy: np.ndarray, method: str, sig: float, lpips: bool) -> str:
    digest = hashlib.sha256()
    for array in (clean, noisy):
        digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
        digest.update(str(array.shape).encode())
    digest.update(f"{method}|{sig:.9g}|{lpips}".encode())
    return digest.hexdigest()


def _cache_get(folder, clean, noisy, method, sig, lpips):
    if folder is None:
        return None
    path = Path(folder) / f"{_cache_key(clean, noisy, method, sig, lpips)}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    return data["metrics"], data["seconds"]


def _cache_put(folder, clean, noisy, method, sig, lpips, metrics, seconds) -> None:
    if folder is None:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / f"{_cache_key(clean, noisy, method, sig, lpips)}.json"
    from denoscope.core.io.outputs import write_text

    record = {"method": method, "metrics": metrics, "seconds": seconds}
    write_text(path, json.dumps(record), overwrite=True)  # never a truncated cache entry


def parse_setting(text: str, modality: str) -> tuple[str, float]:
    """Parse ``name`` or ``name:level`` (level defaults to the noise's default for the modality)."""
    from denoscope.core.noise import get_noise_model

    name, _, level = text.partition(":")
    model = get_noise_model(name)
    return name, float(level) if level else model.default_level(modality)


def evaluate(
    model_path: str | Path,
    images: Sequence[TestImage],
    settings: Sequence[tuple[str, float]],
    *,
    baselines: Sequence[str] = DEFAULT_BASELINES,
    crop: int | None = None,
    report1: bool = False,
    sigma: str = "oracle",
    lpips: bool = True,
    seed: int = 0,
    device: str = "cpu",
    progress: Callable[[int, int], None] | None = None,
    baseline_cache: str | Path | None = None,
    strength: float = 1.0,
) -> EvaluationResult:
    """Run the model and the baselines on every image under every noise setting.

    Parameters
    ----------
    model_path : str or Path
        A ``.safetensors`` model file (card beside it).
    images : sequence of TestImage
        Clean test images in [0, 1].
    settings : sequence of (str, float)
        Noise models and levels.
    baselines : sequence of str, optional
        Names in :data:`denoscope.core.baselines.BASELINES`; unknown or
        unavailable ones (BM3D without its package) are skipped.
    crop : int, optional
        Centre-crop side applied after the noise is drawn.
    report1 : bool, optional
        The first report's protocol: resize to 128 x 128 before the noise.
    sigma : {"oracle", "estimate"}, optional
        How baselines learn the noise level of non-Gaussian noise.
    lpips : bool, optional
        Compute LPIPS (needs its weights).
    seed : int, optional
        Noise seed.
    device : str, optional
        Device for the model and LPIPS.
    progress : callable, optional
        ``progress(done, total)`` per image and setting.
    baseline_cache : str or Path, optional
        Folder where baseline results are kept, keyed by the sha256 of the
        clean and noisy images, the method and its sigma; a later run on the
        same images and noise reuses them (BM3D is slow) instead of recomputing.
    strength : float, optional
        Multiplies the noise-level map of a model that takes one (ignored by blind models).

    Returns
    -------
    EvaluationResult
        Per-image rows and means.
    """
    from denoscope.core.baselines import BASELINES
    from denoscope.core.metrics import compute_metrics
    from denoscope.core.review import ReviewParams, baseline_sigma, load_model_cached, run_model
    from denoscope.core.training.noise_mix import SLICE_LEVEL_MODELS

    loaded = load_model_cached(model_path)
    methods = ["noisy", "model", *[b for b in baselines if b in BASELINES]]
    rows: list[Row] = []
    labels = [f"{n}@{lvl:g}" for n, lvl in settings]
    total, done = len(images) * len(settings), 0
    for s_index, (name, level) in enumerate(settings):
        for i, item in enumerate(images):
            rng = np.random.default_rng([seed, s_index, i])
            clean = resize_report1(item.clean) if report1 else item.clean
            if name in SLICE_LEVEL_MODELS or report1:
                noisy = NOISE_MODELS[name].apply(clean, level, rng=rng)
                clean, noisy = center_crop(clean, crop), center_crop(noisy, crop)
            else:
                clean = center_crop(clean, crop)
                noisy = NOISE_MODELS[name].apply(clean, level, rng=rng)
            sig = baseline_sigma(name, level, noisy, clean, mode=sigma)
            params = ReviewParams(
                modality=loaded.card.modality,
                noise=name,
                level=float(level),
                seed=seed,
                device=device,
                baseline=None,
                strength=strength,
            )
            for method in methods:
                t0 = time.perf_counter()
                if method == "noisy":
                    out = noisy
                elif method == "model":
                    out = run_model(loaded, noisy, params, truth01=clean)[0].image
                else:
                    cached = _cache_get(baseline_cache, clean, noisy, method, sig, lpips)
                    if cached is not None:
                        rows.append(Row(item.image_id, labels[s_index], method, *cached, sig))
                        continue
                    out = BASELINES[method].apply(noisy, level=min(sig, 1.0))
                seconds = time.perf_counter() - t0 if method != "noisy" else 0.0
                metrics = compute_metrics(clean, out, data_range=1.0, lpips=lpips, device=device)
                values = {m: getattr(metrics, m) for m in METRICS}
                if method not in ("noisy", "model"):
                    _cache_put(baseline_cache, clean, noisy, method, sig, lpips, values, seconds)
                rows.append(Row(item.image_id, labels[s_index], method, values, seconds, sig))
            done += 1
            if progress is not None:
                progress(done, total)
    return EvaluationResult(
        rows=rows,
        model=str(model_path),
        settings=labels,
        methods=methods,
        info={
            "images": len(images),
            "crop": crop,
            "report1_protocol": report1,
            "baseline_sigma": sigma,
            "seed": seed,
            "model_card": loaded.card.name,
            "modality": loaded.card.modality,
        },
    )
