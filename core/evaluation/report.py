"""Evaluation outputs: markdown table, per-image CSV, JSON and a per-image metric plot."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from denoscope.core.evaluation.run import METRICS, REPORT1_TABLE, EvaluationResult, Row
from denoscope.core.io.outputs import write_bytes, write_text
from denoscope.core.metrics.table import METRICS as TABLE
from denoscope.core.metrics.table import format_metric

LABELS = {
    "noisy": "noisy input",
    "model": "model",
    "median": "median",
    "gaussian": "Gaussian filter",
    "average": "average",
    "bilateral": "bilateral",
    "tv": "TV (Chambolle)",
    "wavelet": "wavelet",
    "nlmeans": "NL-means",
    "bm3d": "BM3D",
}


def _fmt(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _cell(key: str, value: float | None) -> str:
    return format_metric(key, value, missing="–")


def markdown_table(result: EvaluationResult, *, title: str | None = None) -> str:
    """Return the mean metrics as markdown, one table per noise setting."""
    lines = [f"## {title}", ""] if title else []
    info = result.info
    lines.append(
        f"Model `{Path(result.model).name}` ({info.get('model_card', '')}); {info.get('images')} images"
        + (f", centre crop {info['crop']} px" if info.get("crop") else "")
        + ("; first report's protocol (128 x 128 resize)" if info.get("report1_protocol") else "")
        + f"; baselines given the {info.get('baseline_sigma')} noise sigma; noise seed {info.get('seed')}."
    )
    lines.append("")
    for setting, methods in result.means().items():
        lines += [f"### {setting}", ""]
        lines.append("| method | " + " | ".join(spec.label for spec in TABLE) + " | s / image |")
        lines.append("|---" * (len(TABLE) + 2) + "|")
        for method, m in methods.items():
            cells = " | ".join(_cell(spec.key, m.get(spec.key)) for spec in TABLE)
            lines.append(f"| {LABELS.get(method, method)} | {cells} | {_fmt(m['seconds'], 3)} |")
        if info.get("report1_protocol"):
            cells = " | ".join(_cell(spec.key, REPORT1_TABLE.get(spec.key)) for spec in TABLE)
            lines.append(f"| first report (published, its data) | {cells} | – |")
        lines.append("")
    return "\n".join(lines)


def write_csv(result: EvaluationResult, path: str | Path) -> None:
    """One row per (image, setting, method); written atomically."""
    fh = io.StringIO(newline="")
    writer = csv.writer(fh)
    writer.writerow(["image", "setting", "method", *METRICS, "seconds", "sigma"])
    for r in result.rows:
        writer.writerow(
            [
                r.image_id,
                r.setting,
                r.method,
                *[r.metrics[m] for m in METRICS],
                r.seconds,
                r.sigma,
            ]
        )
    write_text(path, fh.getvalue(), overwrite=True)


def write_json(result: EvaluationResult, path: str | Path) -> None:
    """Write :meth:`EvaluationResult.as_json`."""
    write_text(path, json.dumps(result.as_json(), indent=1) + "\n", overwrite=True)


_COLOURS = [
    (120, 120, 120),
    (214, 39, 40),
    (31, 119, 180),
    (44, 160, 44),
    (255, 127, 14),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (188, 189, 34),
    (23, 190, 207),
]


def plot_per_image(
    result: EvaluationResult,
    path: str | Path,
    *,
    setting: str | None = None,
    metrics: tuple[str, ...] = ("psnr", "ssim"),
    size: tuple[int, int] = (900, 620),
) -> None:
    """Plot each metric against test-image index, one line per method (the first report's figure).

    Parameters
    ----------
    result : EvaluationResult
        The evaluation.
    path : str or Path
        PNG to write.
    setting : str, optional
        Which noise setting (default: the first).
    metrics : tuple of str, optional
        One panel per metric.
    size : tuple of int, optional
        (width, height) in pixels.
    """
    setting = setting or result.settings[0]
    width, height = size
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    draw.text((70, 8), f"Evaluation metrics over test images ({setting})", fill="black", font=font)
    panel_h = (height - 60) // len(metrics)
    images = list(dict.fromkeys(r.image_id for r in result.rows if r.setting == setting))
    for p, metric in enumerate(metrics):
        top, bottom = 30 + p * panel_h + 10, 30 + (p + 1) * panel_h - 25
        left, right = 70, width - 160
        draw.rectangle([left, top, right, bottom], outline="black")
        draw.text((8, (top + bottom) // 2), metric.upper(), fill="black", font=font)
        series = {}
        for method in result.methods:
            vals = {
                r.image_id: r.metrics[metric]
                for r in result.rows
                if r.setting == setting and r.method == method
            }
            series[method] = [vals.get(i) for i in images]
        allv = [v for s in series.values() for v in s if v is not None]
        if not allv:
            continue
        lo, hi = min(allv), max(allv)
        pad = (hi - lo) * 0.05 or 0.01
        lo, hi = lo - pad, hi + pad
        for t in np.linspace(lo, hi, 5):
            py = bottom - (t - lo) / (hi - lo) * (bottom - top)
            draw.line([left, py, right, py], fill=(235, 235, 235))
            draw.text((left - 45, py - 6), f"{t:.3g}", fill="black", font=font)
        n = max(len(images) - 1, 1)
        for k, (method, vals) in enumerate(series.items()):
            colour = _COLOURS[k % len(_COLOURS)]
            pts = [
                (left + i / n * (right - left), bottom - (v - lo) / (hi - lo) * (bottom - top))
                for i, v in enumerate(vals)
                if v is not None
            ]
            if len(pts) > 1:
                draw.line(pts, fill=colour, width=2 if method == "model" else 1)
            for px, py in pts:
                draw.ellipse([px - 2, py - 2, px + 2, py + 2], fill=colour)
            if p == 0:
                draw.line(
                    [right + 15, top + 14 * k + 6, right + 35, top + 14 * k + 6],
                    fill=colour,
                    width=3,
                )
                draw.text(
                    (right + 40, top + 14 * k), LABELS.get(method, method), fill="black", font=font
                )
        draw.text(
            ((left + right) // 2 - 30, bottom + 6), "test image index", fill="black", font=font
        )
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    write_bytes(path, buffer.getvalue(), overwrite=True)


def _lower_or_equal(a: float | None, b: float | None) -> bool | None:
    return None if a is None or b is None else a <= b


def relative_grid_energy(result: EvaluationResult, setting: str) -> dict[str, float]:
    """Mean period-2 energy of each method's error, relative to the noisy input's.

    The grid index (:func:`denoscope.core.metrics.grid.grid_index`) divides the
    period-2 energy of an error by that error's own power, so it describes the
    error's shape: a method with a much smaller but whiter error can read higher
    than one with a larger, smoother error while leaving less grid. To compare
    *how much* grid methods leave on the same image, this takes the energy itself
    (``grid index x MSE``, proportional to it) over the noisy input's: 1 is the
    input noise's own period-2 energy, 0 none. Averaged over the images.

    Returns
    -------
    dict
        Method -> mean relative energy (methods without grid or MSE values left out).
    """

    def energy(row: Row) -> float | None:
        grid, mse = row.metrics.get("grid"), row.metrics.get("mse")
        return None if grid is None or mse is None else float(grid) * float(mse)

    rows = [r for r in result.rows if r.setting == setting]
    floor = {r.image_id: energy(r) for r in rows if r.method == "noisy"}
    per_method: dict[str, list[float]] = {}
    for r in rows:
        value, base = energy(r), floor.get(r.image_id)
        if value is not None and base:
            per_method.setdefault(r.method, []).append(value / base)
    return {m: float(np.mean(v)) for m, v in per_method.items()}


def bar_check(result: EvaluationResult) -> dict[str, dict[str, object]]:
    """Check the shipping bars per noise setting.

    Against BM3D: PSNR >= BM3D + 0.5 dB, SSIM >= BM3D, LPIPS <= BM3D, grid
    energy relative to the input's (:func:`relative_grid_energy`) <= BM3D's;
    against NL-means: above it in PSNR and SSIM; against the input: the
    model's PSNR is at least the noisy input's on every image ("no harm").
    The grid index comparison is kept beside it (``grid_index_bar_met``).

    Returns
    -------
    dict
        Per setting: the margins (model minus peer), whether each part is met
        (None where the peer or the metric was not evaluated), and the images
        the model made worse than its input.
    """
    out: dict[str, dict[str, object]] = {}
    for setting, methods in result.means().items():
        model = methods.get("model")
        if model is None:
            continue
        bm3d, nlm = methods.get("bm3d"), methods.get("nlmeans")
        entry: dict[str, object] = {}
        if bm3d is not None:
            entry["psnr_minus_bm3d"] = round(model["psnr"] - bm3d["psnr"], 3)
            entry["ssim_minus_bm3d"] = round(model["ssim"] - bm3d["ssim"], 4)
            entry["psnr_bar_met"] = model["psnr"] >= bm3d["psnr"] + 0.5
            entry["ssim_bar_met"] = model["ssim"] >= bm3d["ssim"]
            entry["lpips_bar_met"] = _lower_or_equal(model.get("lpips"), bm3d.get("lpips"))
            energies = relative_grid_energy(result, setting)
            entry["grid_energy_model"] = round(energies.get("model", float("nan")), 4)
            entry["grid_energy_bm3d"] = round(energies.get("bm3d", float("nan")), 4)
            entry["grid_bar_met"] = _lower_or_equal(energies.get("model"), energies.get("bm3d"))
            entry["grid_index_bar_met"] = _lower_or_equal(model.get("grid"), bm3d.get("grid"))
        noisy_psnr = {
            r.image_id: r.metrics.get("psnr")
            for r in result.rows
            if r.setting == setting and r.method == "noisy"
        }
        harmed = sorted(
            r.image_id
            for r in result.rows
            if r.setting == setting
            and r.method == "model"
            and noisy_psnr.get(r.image_id) is not None
            and r.metrics.get("psnr") is not None
            and r.metrics["psnr"] < noisy_psnr[r.image_id]
        )
        entry["images_worse_than_input"] = harmed
        entry["no_harm_met"] = not harmed
        if nlm is not None:
            entry["psnr_minus_nlmeans"] = round(model["psnr"] - nlm["psnr"], 3)
            entry["ssim_minus_nlmeans"] = round(model["ssim"] - nlm["ssim"], 4)
            entry["above_nlmeans"] = model["psnr"] > nlm["psnr"] and model["ssim"] > nlm["ssim"]
        out[setting] = entry
    return out


def training_lineage(model_path: str | Path) -> list[str]:
    """Return the training commands that led to a model, oldest first.

    Follows ``training.details["initialised_from"]`` (``denoscope train --init``)
    through the cards of the starting weights, as far as they can be read.
    """
    from denoscope.core.checkpoint import card_path, load_card
    from denoscope.core.errors import DenoscopeError

    commands: list[str] = []
    seen: set[str] = set()
    path: str | Path | None = model_path
    while path is not None and str(path) not in seen and card_path(path).is_file():
        seen.add(str(path))
        try:
            card = load_card(path)
        except DenoscopeError:
            break
        if card.training is None:
            break
        commands.insert(0, card.training.command)
        path = card.training.details.get("initialised_from")
    return commands


def update_card(result: EvaluationResult, model_path: str | Path, *, key: str = "test") -> None:
    """Record the evaluation's means (and bar check) in the model's JSON card.

    The weights are untouched, so the card's weights hash stays valid.

    Parameters
    ----------
    result : EvaluationResult
        The evaluation of that model.
    model_path : str or Path
        The model's ``.safetensors`` (or ``.json``) file.
    key : str, optional
        Entry of ``validation_metrics`` to write (``"test"``, ``"report1_protocol"`` ...).
    """
    from denoscope.core.checkpoint import card_path, load_card

    card = load_card(model_path)
    means = {
        setting: {
            method: {k: (None if v is None else round(v, 5)) for k, v in m.items()}
            for method, m in methods.items()
        }
        for setting, methods in result.means().items()
    }
    metrics = dict(card.validation_metrics)
    metrics[key] = {"protocol": result.info, "means": means, "bar": bar_check(result)}
    update: dict[str, object] = {"validation_metrics": metrics}
    if card.training is not None:
        details = dict(card.training.details)
        details["lineage"] = training_lineage(model_path)
        update["training"] = card.training.model_copy(update={"details": details})
    updated = card.model_copy(update=update)
    write_text(card_path(model_path), updated.model_dump_json(indent=2) + "\n", overwrite=True)
