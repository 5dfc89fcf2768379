"""Reports of trust runs: markdown tables and a figure (matplotlib, no display needed)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.io.outputs import write_bytes
from denoscope.core.trust.lesion_test import LOST_BELOW
from denoscope.core.trust.lesions import Lesion
from denoscope.core.trust.run import TrustRun


def _fmt(value: Any, spec: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not np.isfinite(value):
        return "∞" if value > 0 else "–"
    return format(value, spec)


def lesion_table(summary: dict[str, dict[str, Any]], metrics: dict | None = None) -> str:
    """Markdown table: method, (PSNR, SSIM,) mean retained contrast, lost, d′, AUC."""
    metrics = metrics or {}
    head = "| method |" + (" PSNR (dB) | SSIM |" if metrics else "")
    head += f" retained contrast | lost (< {LOST_BELOW:.0%}) | NPW d′ | localisation AUC |"
    lines = [head, "|---" * (head.count("|") - 1) + "|"]
    for name, s in summary.items():
        row = f"| {name} |"
        if metrics:
            m = metrics.get(name, {})
            row += f" {_fmt(m.get('psnr'), '.2f')} | {_fmt(m.get('ssim'), '.3f')} |"
        row += (
            f" {_fmt(s.get('mean_retained'), '.2f')} | {_fmt(s.get('fraction_lost'), '.0%')} |"
            f" {_fmt(s.get('dprime'), '.2f')} | {_fmt(s.get('auc'), '.3f')} |"
        )
        lines.append(row)
    return "\n".join(lines)


def trust_markdown(run: TrustRun, *, title: str | None = None) -> str:
    """The markdown report of one run: lesion table, pure-noise table, maps and timings."""
    les = run.lesions
    info = run.info
    out = [f"## {title or 'Trust report'}", ""]
    out.append(
        f"Image `{run.image_id}`, noise {info['noise']} at {info['level']:g}, seed {info['seed']}; "
        f"{len(les.lesions)} discs of radius "
        f"{min(x.radius for x in les.lesions)}–{max(x.radius for x in les.lesions)} px and "
        f"contrast {min(abs(x.cnr) for x in les.lesions):.2f}–{max(abs(x.cnr) for x in les.lesions):.2f}"
        " × local noise σ. PSNR/SSIM against the lesion-present truth."
    )
    out.append("")
    summary = {name: stats.summary() for name, stats in les.methods.items()}
    out.append(lesion_table(summary, run.metrics))
    if run.pure_noise is not None:
        out += [
            "",
            "Pure-noise test (flat fields + noise; structure z above 5 and above the noisy input's, or edge ratio > 1.05, fails):",
            "",
        ]
        out.append("| method | flat value | edge energy ratio | structure z | creates structure |")
        out.append("|---|---|---|---|---|")
        for name, values in run.pure_noise.values.items():
            flag = "yes" if run.pure_noise.creates_structure(name) else "no"
            for value, entry in values.items():
                out.append(
                    f"| {name} | {value} | {entry['edge_ratio']:.2f} | "
                    f"{entry['structure_z']:.1f} | {flag} |"
                )
    out += ["", "Maps of the model's output (mean |value|, 99th percentile |value|):", ""]
    units = {
        "removed": "z",
        "invented": f"{run.unit}/px",
        "lost": f"{run.unit}/px",
        "signed": run.unit,
        "uncertainty": run.unit,
    }
    for key, value in run.as_json()["maps"]["summary"].items():
        out.append(
            f"- {key}: {value['mean_abs']:.3g} / {value['p99_abs']:.3g} {units.get(key, '')}"
        )
    if run.uncertainty is not None:
        u = run.uncertainty
        out.append(f"- uncertainty: SD over K = {u.draws} noise re-draws, {u.seconds:.1f} s")
    out.append("")
    out.append("Timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in run.timings.items()))
    return "\n".join(out)


def _outline(ax, lesions: list[Lesion], retained: list[float] | None = None) -> None:
    from matplotlib.patches import Circle

    for index, lesion in enumerate(lesions):
        lost = retained is not None and retained[index] < LOST_BELOW
        ax.add_patch(
            Circle(
                (lesion.col, lesion.row),
                lesion.radius + 1.5,
                fill=False,
                lw=0.8,
                color="#ff5555" if lost else "#55ff88",
            )
        )


def _zooms(axes, run: TrustRun, grey: list) -> None:
    """Fill spare axes with close-ups of the model's worst-kept lesion (truth, then methods).

    The close-ups share a grey window centred on the median of the truth around the
    lesion and eight times the lesion's contrast wide, so a faint disc is visible.
    """
    if len(axes) == 0:
        return
    retained = run.lesions.methods["model"].retained
    index = int(np.argmin(retained))
    lesion = run.lesions.lesions[index]
    half = 2 * lesion.outer
    shape = run.lesions.images["clean_present"].shape
    r0, c0 = max(0, lesion.row - half), max(0, lesion.col - half)
    r1, c1 = min(shape[0], lesion.row + half + 1), min(shape[1], lesion.col + half + 1)
    shown = [grey[0], *(g for g in grey if g[2] == "model")]
    shown += [g for g in grey[1:] if g[2] not in ("model",)]
    truth = grey[0][1][r0:r1, c0:c1]  # a window set by the lesion's own contrast
    middle = float(np.median(truth))
    low, high = middle - 4 * abs(lesion.contrast), middle + 4 * abs(lesion.contrast)
    for ax, (title, image, method) in zip(axes, shown, strict=False):
        ax.imshow(
            image[r0:r1, c0:c1],
            cmap="gray",
            vmin=low,
            vmax=high,
            interpolation="nearest",
            extent=(c0 - 0.5, c1 - 0.5, r1 - 0.5, r0 - 0.5),
        )
        kept = None if method is None else run.lesions.methods[method].retained
        _outline(ax, [lesion], None if kept is None else [kept[index]])
        suffix = "" if kept is None else f", keeps {kept[index]:.0%}"
        ax.set_title(f"zoom: {title}{suffix}", fontsize=9)


def trust_figure(
    run: TrustRun,
    out: str | Path,
    *,
    window: tuple[float, float] | None = None,
    overwrite: bool = False,
) -> Path:
    """Save the figure of one run: images with lesion outlines, maps with colour bars, numbers.

    Parameters
    ----------
    run : TrustRun
        A finished run.
    out : str or Path
        PNG path (written atomically by :func:`denoscope.core.io.outputs.write_bytes`).
    window : (float, float), optional
        Display (low, high) in [0, 1] units of the grey images (default: 1st-99th percentile
        of the truth).
    overwrite : bool, optional
        Replace an existing file.

    Returns
    -------
    Path
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    images = run.lesions.images
    truth = images["clean_present"]
    low, high = window or tuple(np.percentile(truth, (1, 99)))
    methods = [m for m in run.lesions.methods if m != "noisy"]
    grey = [("truth + lesions", truth, None), ("noisy", images["noisy_present"], "noisy")]
    grey += [(m, images[m], m) for m in methods]
    maps = [("removed structure (model)", run.maps["removed"], "RdBu_r", "z", True)]
    for name in methods[1:]:
        maps.append(
            (f"removed structure ({name})", run.maps[f"removed:{name}"], "RdBu_r", "z", True)
        )
    maps += [
        ("invented edges (model)", run.maps["invented"], "magma", f"{run.unit}/px", False),
        ("lost edges (model)", run.maps["lost"], "magma", f"{run.unit}/px", False),
        ("model − truth", run.maps["signed"], "RdBu_r", run.unit, True),
    ]
    if "uncertainty" in run.maps:
        u = run.uncertainty
        maps.append(
            (f"uncertainty, K = {u.draws}", run.maps["uncertainty"], "viridis", run.unit, False)
        )
    cols = max(len(grey), len(maps))
    fig, axes = plt.subplots(2, cols, figsize=(2.7 * cols, 7.2))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (title, image, method) in zip(axes[0], grey, strict=False):
        ax.imshow(image, cmap="gray", vmin=low, vmax=high, interpolation="nearest")
        retained = None if method is None else run.lesions.methods[method].retained
        _outline(ax, run.lesions.lesions, retained)
        ax.set_title(title, fontsize=9)
    _zooms(axes[0][len(grey) :], run, grey)
    for ax, (title, image, cmap, unit, signed) in zip(axes[1], maps, strict=False):
        limit = float(np.percentile(np.abs(image), 99.5)) or 1.0
        if title.startswith("removed"):
            limit = max(limit, 4.0)
        vmin = -limit if signed else 0.0
        shown = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=limit, interpolation="nearest")
        _outline(ax, run.lesions.lesions)
        ax.set_title(title, fontsize=9)
        bar = fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.02)
        bar.set_label(unit, fontsize=8)
        bar.ax.tick_params(labelsize=7)
    rows = []
    for name, stats in run.lesions.methods.items():
        m = run.metrics.get(name, {})
        rows.append(
            [
                name,
                _fmt(m.get("psnr"), ".2f"),
                _fmt(m.get("ssim"), ".3f"),
                _fmt(stats.mean_retained, ".2f"),
                _fmt(stats.fraction_lost, ".0%"),
                _fmt(stats.dprime, ".2f"),
                _fmt(stats.auc, ".3f"),
            ]
        )
    fig.tight_layout(rect=(0.0, 0.2, 1.0, 0.96))
    table_ax = fig.add_axes((0.08, 0.01, 0.84, 0.18))
    table_ax.axis("off")
    shown_table = table_ax.table(
        cellText=rows,
        colLabels=[
            "method",
            "PSNR dB",
            "SSIM",
            "retained",
            f"lost (<{LOST_BELOW:.0%})",
            "NPW d′",
            "AUC",
        ],
        loc="center",
        cellLoc="center",
    )
    shown_table.scale(1.0, 1.3)
    info = run.info
    fig.suptitle(
        f"{run.image_id} · {info['noise']} {info['level']:g} · {len(run.lesions.lesions)} lesions "
        "(green kept, red lost: retained contrast < 50 %)",
        fontsize=10,
    )
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, dpi=110, format="png")
    finally:
        plt.close(fig)
    return write_bytes(out, buffer.getvalue(), overwrite=overwrite)
