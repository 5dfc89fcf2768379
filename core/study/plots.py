"""The report's figures, drawn with matplotlib (no GUI backend) and returned as inline SVG.

Glyphs are stored as paths (matplotlib's default ``svg.fonttype``), so the HTML
report renders the same on any machine without fonts or network.
"""

from __future__ import annotations

import io
import re

import numpy as np

from denoscope.core.study.analysis import CORRELATED_METRICS, StudyReport, _reader_scores
from denoscope.core.study.results import StudyResults

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)  # RDF boilerplate
    return text[text.index("<svg") :]


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def means_plot(report: StudyReport, methods: list[str], criteria: list[str]) -> str:
    """Per criterion: each method's mean rating with its 95 % bootstrap interval."""
    n = max(1, len(criteria))
    columns = min(3, n)
    rows = -(-n // columns)
    figure = _figure(3.2 * columns, rows * (0.45 * len(methods) + 1.3))
    axes = figure.subplots(rows, columns, sharey=True, squeeze=False).ravel()
    for ax in axes[len(criteria) :]:
        ax.set_visible(False)
    for ax, criterion in zip(axes, criteria, strict=False):
        rows = {r["method"]: r for r in report.means if r["criterion"] == criterion}
        for y, method in enumerate(methods):
            row = rows.get(method)
            if row is None or row["mean"] is None:
                continue
            colour = _COLOURS[y % len(_COLOURS)]
            if row["ci_low"] is not None:
                ax.plot([row["ci_low"], row["ci_high"]], [y, y], color=colour, lw=2)
            ax.plot([row["mean"]], [y], "o", color=colour)
        ax.set_title(criterion)
        ax.set_xlim(0.8, 5.2)
        ax.set_xticks([1, 2, 3, 4, 5])
        ax.set_yticks(range(len(methods)), methods)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel("mean rating, 95 % bootstrap CI", fontsize="small")
    return _svg(figure)


def preference_plot(report: StudyReport) -> str:
    """Each pair's rate of preferring the first method, with its Wilson 95 % interval."""
    rows = [r for r in report.preferences if r["rate_a"] is not None]
    figure = _figure(6.0, 0.45 * max(1, len(rows)) + 1.2)
    ax = figure.subplots()
    for y, row in enumerate(rows):
        ax.plot([row["ci_low"], row["ci_high"]], [y, y], color=_COLOURS[0], lw=2)
        ax.plot([row["rate_a"]], [y], "o", color=_COLOURS[0])
    ax.axvline(0.5, color="grey", lw=1, ls="--")
    ax.set_xlim(0, 1)
    ax.set_yticks(range(len(rows)), [f"{r['method_a']} over {r['method_b']}" for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("preference rate, Wilson 95 % CI")
    ax.grid(axis="x", alpha=0.3)
    return _svg(figure)


def correlation_plot(results: StudyResults, report: StudyReport) -> str:
    """Reader score of each (case, method) against each metric, coloured by method."""
    criterion = results.criteria[0] if results.design == "likert" else None
    scores = _reader_scores(results, criterion)
    metrics = [
        m
        for m, _h in CORRELATED_METRICS
        if any(results.metrics.get(k, {}).get(m) is not None for k in scores)
    ]
    figure = _figure(2.6 * max(1, len(metrics)), 2.8)
    axes = figure.subplots(1, max(1, len(metrics)), sharey=True, squeeze=False)[0]
    label = criterion or "preference"
    for ax, metric in zip(axes, metrics, strict=False):
        for i, method in enumerate(results.methods):
            points = [
                (results.metrics[k][metric], v)
                for k, v in scores.items()
                if k[1] == method
                and results.metrics.get(k, {}).get(metric) is not None
                and np.isfinite(results.metrics[k][metric])
            ]
            if points:
                x, y = zip(*points, strict=True)
                ax.plot(x, y, "o", ms=4, alpha=0.8, color=_COLOURS[i % len(_COLOURS)], label=method)
        rho = next(
            (
                r["rho"]
                for r in report.correlations
                if r["metric"] == metric and r["criterion"] == label
            ),
            None,
        )
        ax.set_title(f"{metric.upper()}  (ρ = {rho:.2f})" if rho is not None else metric.upper())
        ax.set_xlabel(metric)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"reader {label}")
    if axes[-1].get_legend_handles_labels()[0]:
        axes[-1].legend(fontsize="small", loc="best")
    return _svg(figure)
