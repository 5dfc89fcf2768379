"""``evaluate --lesions``: the lesion-insertion test of :mod:`denoscope.core.trust` over a test set.

For every image and noise setting, :func:`denoscope.core.trust.lesion_test`
inserts ``n`` discs (radius 2-8 px, contrast 0.5-3 x the local noise σ),
adds the noise (slice-level noise such as low-dose CT is drawn on the whole
slice, then cropped, as in :func:`~denoscope.core.evaluation.run.evaluate`),
and measures retained contrast, lesions lost, NPW d′ and the localisation
AUC for the noisy input, the model and the baselines (given the same
Gaussian-equivalent σ as in the evaluation: the true level for Gaussian
noise, else the measured standard deviation of noisy − clean).
Results are pooled over images (:func:`~denoscope.core.trust.lesion_test.pooled_summary`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.evaluation.images import TestImage, center_crop


def lesion_evaluation(
    model_path: str | Path,
    images: Sequence[TestImage],
    settings: Sequence[tuple[str, float]],
    *,
    baselines: Sequence[str],
    n_lesions: int = 12,
    radius_range: tuple[int, int] = (2, 8),
    contrast_range: tuple[float, float] = (0.5, 3.0),
    crop: int | None = None,
    seed: int = 0,
    device: str = "cpu",
    strength: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run the lesion test on every image under every setting; pool per method.

    Parameters
    ----------
    model_path : str or Path
        Model file.
    images : sequence of TestImage
        Clean test images.
    settings : sequence of (str, float)
        Noise models and levels.
    baselines : sequence of str
        Baselines to test too (unavailable ones are skipped).
    n_lesions : int, optional
        Discs per image.
    radius_range, contrast_range : tuple, optional
        Radius (px) and contrast (x local σ) ranges.
    crop : int, optional
        Centre crop (noise of slice-level models is drawn before it).
    seed : int, optional
        Seed.
    device : str, optional
        Model device.
    strength : float, optional
        Multiplies the noise-level map of a model that takes one (as ``evaluate --strength``).
    progress : callable, optional
        ``progress(done, total)`` per image and setting.

    Returns
    -------
    dict
        ``{"n_lesions", "settings": {label: {"pooled": {method: ...}, "per_image": [...]}},
        "skipped": [...]}`` (images too small for any lesion are skipped and listed).
    """
    from denoscope.core.baselines import BASELINES
    from denoscope.core.checkpoint import load_model
    from denoscope.core.errors import ParameterError
    from denoscope.core.noise import NOISE_MODELS
    from denoscope.core.training.noise_mix import SLICE_LEVEL_MODELS
    from denoscope.core.trust import baseline_denoiser, lesion_test, model_denoiser
    from denoscope.core.trust.lesion_test import pooled_summary

    loaded = load_model(model_path)
    names = [b for b in baselines if b in BASELINES]
    out: dict[str, Any] = {
        "n_lesions": n_lesions,
        "radius_px": list(radius_range),
        "contrast_x_sigma": list(contrast_range),
        "settings": {},
        "skipped": [],
    }
    total, done = len(images) * len(settings), 0
    for s_index, (noise, level) in enumerate(settings):
        runs, per_image = [], []
        for i, item in enumerate(images):
            image_seed = int(np.random.SeedSequence([seed, s_index, i]).generate_state(1)[0])
            clean = center_crop(item.clean, crop)
            apply_noise = None
            if noise in SLICE_LEVEL_MODELS and clean.shape != item.clean.shape:
                apply_noise = _crop_noise(item.clean, clean.shape, noise, level, crop)
            if noise.startswith("gaussian"):
                sigma = float(level)
            else:
                probe = (
                    apply_noise(clean, image_seed)
                    if apply_noise
                    else NOISE_MODELS[noise].apply(clean, level, rng=image_seed)
                )
                sigma = float(np.std(np.asarray(probe, np.float64) - clean))
            model = model_denoiser(
                loaded, device=device, noise=noise, level=level, strength=strength
            )
            methods = {"model": model, **{b: baseline_denoiser(b, sigma) for b in names}}
            try:
                result = lesion_test(
                    clean,
                    methods,
                    noise=noise,
                    level=level,
                    n_lesions=n_lesions,
                    radius_range=radius_range,
                    contrast_range=contrast_range,
                    seed=image_seed,
                    apply_noise=apply_noise,
                )
            except ParameterError as error:  # no room for a lesion: say so, go on
                out["skipped"].append({"image": item.image_id, "setting": noise, "why": str(error)})
            else:
                runs.append(result)
                per_image.append({"image": item.image_id, **result.as_json()})
            done += 1
            if progress is not None:
                progress(done, total)
        out["settings"][f"{noise}@{level:g}"] = {
            "pooled": pooled_summary(runs),
            "per_image": per_image,
        }
    return out


def _crop_noise(full: np.ndarray, shape: tuple[int, ...], noise: str, level: float, crop):
    from denoscope.core.noise import NOISE_MODELS

    r0, c0 = (full.shape[0] - shape[0]) // 2, (full.shape[1] - shape[1]) // 2

    def apply(crop01: np.ndarray, seed: int) -> np.ndarray:
        whole = np.array(full, np.float32, copy=True)
        whole[r0 : r0 + shape[0], c0 : c0 + shape[1]] = crop01
        noisy = NOISE_MODELS[noise].apply(whole, level, rng=np.random.default_rng([seed, 1]))
        return center_crop(np.asarray(noisy, np.float32), crop)

    return apply


def lesion_markdown(data: dict[str, Any]) -> str:
    """Markdown: one table per setting (retained contrast, lost, d′, AUC per method)."""
    from denoscope.core.trust.report import lesion_table

    (r0, r1), (c0, c1) = data["radius_px"], data["contrast_x_sigma"]
    parts = [
        f"### Lesion insertion ({data['n_lesions']} discs per image, radius {r0}–{r1} px, "
        f"contrast {c0:g}–{c1:g} × local noise σ)"
    ]
    for label, entry in data["settings"].items():
        if not entry["pooled"]:
            parts += ["", f"#### {label}: no image had room for a lesion"]
            continue
        lesions = next(iter(entry["pooled"].values()))["lesions"]
        parts += ["", f"#### {label} ({lesions} lesions)", "", lesion_table(entry["pooled"])]
    return "\n".join(parts)


def lesion_plot(data: dict[str, Any], out: str | Path, *, overwrite: bool = False) -> Path:
    """Scatter of retained contrast against contrast-to-noise ratio per method, one panel per setting."""
    import io

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from denoscope.core.io.outputs import write_bytes
    from denoscope.core.trust.lesion_test import LOST_BELOW

    settings = data["settings"]
    fig, axes = plt.subplots(1, len(settings), figsize=(5.0 * len(settings), 4.0), squeeze=False)
    for ax, (label, entry) in zip(axes[0], settings.items(), strict=True):
        methods = list(entry["pooled"])
        for k, method in enumerate(methods):
            cnr = [abs(les["cnr"]) for img in entry["per_image"] for les in img["lesions"]]
            kept = [v for img in entry["per_image"] for v in img["methods"][method]["retained"]]
            ax.scatter(cnr, kept, s=10, alpha=0.7, label=method, marker="os^vD<>p"[k % 8])
        ax.axhline(LOST_BELOW, color="grey", lw=0.8, ls="--")
        ax.set_xlabel("inserted contrast / local noise σ")
        ax.set_ylabel("retained contrast")
        ax.set_title(label)
        if methods:
            ax.legend(fontsize=7)
    fig.tight_layout()
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, dpi=110, format="png")
    finally:
        plt.close(fig)
    return write_bytes(out, buffer.getvalue(), overwrite=overwrite)
