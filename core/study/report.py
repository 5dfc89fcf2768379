"""The study report: one self-contained HTML file (tables + inline SVG figures) and a CSV.

The HTML has no external reference (no scripts, style sheets, fonts or images
from elsewhere), so a department can archive it as it is. The CSV holds one
row per rating or choice. Neither carries a patient identifier: cases are
``case 1``..``case N``; no file name, DICOM field or image of a case is
written (the study file holds no DICOM header in the first place).
Both paths are checked before anything is computed, and both files are written
atomically by :func:`denoscope.core.io.outputs.write_text` (temporary file in
the same folder, fsync, rename); an existing file is replaced only with
``overwrite``.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any

from denoscope.core.study.analysis import StudyReport
from denoscope.core.study.results import StudyResults

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; padding: 0 1.5em;
  max-width: 70em; color: #1d232a; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ccd; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccd3dc; padding: 0.25em 0.6em; text-align: right; }
th { background: #eef2f6; } td.t, th.t { text-align: left; }
p.note { color: #555; font-size: 0.9em; } .fig { margin: 0.8em 0; }
.fig svg { max-width: 100%; height: auto; }
"""

#: CSV columns, one row per rating (Likert) or choice (pairwise).
CSV_COLUMNS: tuple[str, ...] = (
    "reader",
    "case",
    "method",
    "method_b",
    "criterion",
    "score",
    "chosen",
    "confidence",
    "side",
    "seconds",
)


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if abs(value) < 1e-3 and value != 0:
            return f"{value:.2e}"
        return f"{value:.{digits}f}"
    return str(value)


def _table(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> str:
    if not rows:
        return "<p class='note'>No data.</p>"
    head = "".join(
        f"<th class='t'>{html.escape(label)}</th>" if i == 0 else f"<th>{html.escape(label)}</th>"
        for i, (_key, label) in enumerate(columns)
    )
    body = []
    for row in rows:
        cells = []
        for key, _label in columns:
            text = html.escape(_fmt(row.get(key)))
            cls = " class='t'" if isinstance(row.get(key), str) else ""
            cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def render_html(results: StudyResults, report: StudyReport, figures: dict[str, str]) -> str:
    """Render the report as one HTML document.

    Parameters
    ----------
    results : StudyResults
        The study's data (for the design and the methods).
    report : StudyReport
        The statistics.
    figures : dict of str to str
        Inline SVG figures by name (``means``, ``preferences``, ``correlation``).

    Returns
    -------
    str
        The document; every value from the study is HTML-escaped.
    """
    s = report.summary
    models = "; ".join(
        f"{m.get('name')} ({m.get('architecture')}, {file}, weights sha256 "
        f"{str(m.get('weights_sha256'))[:12]}, cases {', '.join(map(str, m.get('cases', [])))})"
        for file, m in (s.get("models") or {}).items()
    )
    noise = s.get("noise") or {}
    by_modality = noise.get("levels") or {}
    if len(set(by_modality.values())) == 1:
        levels = f"{next(iter(by_modality.values())):g}"
    else:
        levels = ", ".join(f"{v:g} ({k} cases)" for k, v in by_modality.items())
    facts = [
        ("Design", s["design"]),
        ("Cases", s["cases"]),
        ("Methods", ", ".join(s["methods"])),
        ("Readers", s["readers"]),
        ("Answers analysed (undone)", f"{s['answers']} ({s['retracted']})"),
        ("Reference shown", "yes" if s["with_reference"] else "no"),
        ("Noise", f"{noise.get('name', '?')} at {levels} ({noise.get('unit', '')})"),
        ("Baseline σ", s.get("baseline_sigma_rule") or "–"),
        ("Model", models or "not compared"),
        ("Seed", s["seed"]),
        ("Study created", s.get("created_at") or "–"),
        ("Denoscope", s.get("denoscope_version") or "–"),
        (
            "Bootstrap",
            f"{s['bootstrap']['resamples']} resamples, seed {s['bootstrap']['seed']}, percentile",
        ),
    ]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Denoscope reader study report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Denoscope reader study report</h1>",
        "<table>"
        + "".join(
            f"<tr><th class='t'>{html.escape(k)}</th><td class='t'>{html.escape(str(v))}</td></tr>"
            for k, v in facts
        )
        + "</table>",
        "<p class='note'>"
        + (
            "Unit of analysis: the case (a method's score on a case is the mean over readers). "
            if s["design"] == "likert"
            else "Preference rates pool every answer to a pair (all readers, all cases). "
        )
        + "Cases are labelled case 1..N; the report holds no file names or patient data.</p>",
    ]
    if s["design"] == "likert":
        criteria = results.meta.get("criteria", [])
        parts.append("<h2>Criteria</h2><ul>")
        parts += [f"<li><b>{html.escape(k)}</b>: {html.escape(q)}</li>" for k, q in criteria]
        parts.append("</ul><h2>Mean ratings (95 % bootstrap CI over cases)</h2>")
        parts.append(f"<div class='fig'>{figures.get('means', '')}</div>")
        parts.append(
            _table(
                report.means,
                [
                    ("criterion", "criterion"),
                    ("method", "method"),
                    ("cases", "cases"),
                    ("mean", "mean"),
                    ("ci_low", "CI low"),
                    ("ci_high", "CI high"),
                ],
            )
        )
        parts.append(
            "<h2>Paired Wilcoxon signed-rank tests (Holm-corrected per criterion)</h2>"
            + _table(
                report.wilcoxon,
                [
                    ("criterion", "criterion"),
                    ("method_a", "A"),
                    ("method_b", "B"),
                    ("cases", "cases"),
                    ("median_difference", "median A − B"),
                    ("statistic", "W"),
                    ("p", "p"),
                    ("p_holm", "p (Holm)"),
                ],
            )
        )
    else:
        parts.append("<h2>Preferences (Wilson 95 % CI; binomial test vs 0.5, Holm-corrected)</h2>")
        parts.append(f"<div class='fig'>{figures.get('preferences', '')}</div>")
        parts.append(
            _table(
                report.preferences,
                [
                    ("method_a", "A"),
                    ("method_b", "B"),
                    ("answers", "answers"),
                    ("wins_a", "A preferred"),
                    ("rate_a", "rate A"),
                    ("ci_low", "CI low"),
                    ("ci_high", "CI high"),
                    ("p", "p"),
                    ("p_holm", "p (Holm)"),
                    ("mean_confidence", "mean confidence (1-3)"),
                ],
            )
        )
    parts.append(
        "<h2>Agreement between readers</h2><p class='note'>Weighted (quadratic) Cohen's κ for "
        "exactly two readers (unweighted for choices); Krippendorff's α (ordinal for ratings, "
        "nominal for choices) for two or more.</p>"
        + _table(
            report.agreement,
            [
                ("criterion", "criterion"),
                ("readers", "readers"),
                ("units", "trials read by ≥ 2"),
                ("kappa", "Cohen's κ"),
                ("alpha", "Krippendorff's α"),
            ],
        )
    )
    parts.append(
        "<h2>Do the metrics agree with the readers? (Spearman ρ)</h2><p class='note'>Reader "
        "score per (case, method) against the output's metric versus the reference. Agreement "
        "means ρ > 0 for PSNR and SSIM, ρ < 0 for LPIPS and GMSD (the edge metric; lower is "
        "better).</p>"
        f"<div class='fig'>{figures.get('correlation', '')}</div>"
        + _table(
            report.correlations,
            [
                ("criterion", "criterion"),
                ("metric", "metric"),
                ("points", "points"),
                ("rho", "ρ"),
                ("p", "p"),
            ],
        )
    )
    parts.append(
        "<h2>Readers and reading time</h2>"
        + _table(
            report.times,
            [
                ("reader", "reader"),
                ("answered", "answered"),
                ("total", "trials"),
                ("median_seconds", "median s per case"),
                ("total_minutes", "total minutes"),
            ],
        )
    )
    notes = [*s.get("pipeline_notes", []), *report.notes]
    if notes:
        parts.append("<h2>Notes</h2><ul>")
        parts += [f"<li>{html.escape(n)}</li>" for n in dict.fromkeys(notes)]
        parts.append("</ul>")
    parts.append(
        "<h2>Data</h2><p class='note'>Every statistic as JSON:</p><pre>"
        + html.escape(json.dumps(report.as_dict(), indent=1, default=str, ensure_ascii=False))
        + "</pre></body></html>"
    )
    return "\n".join(parts)


def answers_csv(results: StudyResults) -> str:
    """One CSV row per rating (Likert) or choice (pairwise), columns :data:`CSV_COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for r in results.ratings:
        writer.writerow(
            {
                "reader": r.reader,
                "case": f"case {r.case}",
                "method": r.method,
                "criterion": r.criterion,
                "score": r.score,
                "seconds": f"{r.seconds:.3f}",
            }
        )
    for c in results.choices:
        writer.writerow(
            {
                "reader": c.reader,
                "case": f"case {c.case}",
                "method": c.method_a,
                "method_b": c.method_b,
                "chosen": c.chosen,
                "confidence": c.confidence,
                "side": c.side,
                "seconds": f"{c.seconds:.3f}",
            }
        )
    return buffer.getvalue()


def write_report(
    study: str | Path,
    *,
    html_out: str | Path | None = None,
    csv_out: str | Path | None = None,
    overwrite: bool = False,
    n_boot: int | None = None,
    seed: int = 0,
) -> StudyReport:
    """Analyse a study and write its HTML report and/or answers CSV.

    Parameters
    ----------
    study : str or Path
        The ``.denostudy`` file (opened read-only).
    html_out, csv_out : str or Path, optional
        Where to write the report and the CSV.
    overwrite : bool, optional
        Replace existing outputs.
    n_boot : int, optional
        Bootstrap resamples (default :data:`~denoscope.core.study.analysis.N_BOOT`).
    seed : int, optional
        Bootstrap seed.

    Returns
    -------
    StudyReport
        The statistics written.
    """
    from denoscope.core.io.outputs import check_outputs, write_text
    from denoscope.core.study import plots
    from denoscope.core.study.analysis import N_BOOT, analyse
    from denoscope.core.study.results import load_results

    study = Path(study).expanduser()
    targets = [p for p in (html_out, csv_out) if p is not None]
    check_outputs(targets, overwrite=overwrite, inputs=[study], overwrite_hint="pass --force")
    results = load_results(study)
    report = analyse(results, n_boot=N_BOOT if n_boot is None else n_boot, seed=seed)
    if html_out is not None:
        figures = {"correlation": plots.correlation_plot(results, report)}
        if results.design == "likert":
            figures["means"] = plots.means_plot(report, results.methods, results.criteria)
        else:
            figures["preferences"] = plots.preference_plot(report)
        write_text(html_out, render_html(results, report, figures), overwrite=overwrite)
    if csv_out is not None:
        write_text(csv_out, answers_csv(results), overwrite=overwrite)
    return report
