"""The statistics of a reader study, from scipy, statsmodels and krippendorff.

Unit of analysis: the **case**. A method's score on a case is the mean over
readers of their ratings (so readers weigh equally and cases are the
independent samples):

- per-method mean ratings with a 95 % bootstrap interval over cases
  (:func:`scipy.stats.bootstrap`, percentile method, ``n_boot`` resamples,
  seeded);
- paired Wilcoxon signed-rank tests between every two methods on the cases
  both were rated on (:func:`scipy.stats.wilcoxon`, two-sided, default zero
  handling), Holm-corrected over the method pairs of each criterion
  (:func:`statsmodels.stats.multitest.multipletests`);
- pairwise designs: the rate at which method A was preferred to B over all
  answers, with a Wilson 95 % interval and a two-sided binomial test against
  0.5 (:func:`scipy.stats.binomtest`), Holm-corrected over pairs;
- agreement between readers on the same trials: quadratic-weighted Cohen's κ
  for exactly two readers (:func:`statsmodels.stats.inter_rater.cohens_kappa`;
  unweighted for pairwise choices) and Krippendorff's α for two or more
  (:func:`krippendorff.alpha`, ordinal for ratings, nominal for choices);
- Spearman correlation (:func:`scipy.stats.spearmanr`) between the readers'
  score of each (case, method) and that output's PSNR, SSIM, LPIPS and GMSD
  (the edge metric) against the reference. For pairwise designs the score is
  the fraction of its comparisons the output won. PSNR and SSIM should
  correlate positively, LPIPS and GMSD (lower is better) negatively, if the
  metrics agree with the readers.

A statistic that cannot be computed (too few cases, no differences, one
reader) is None, with the reason in the report's notes.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from denoscope.core.study.results import StudyResults

#: Metrics correlated with reader scores, with "higher is better".
CORRELATED_METRICS: tuple[tuple[str, bool], ...] = (
    ("psnr", True),
    ("ssim", True),
    ("lpips", False),
    ("gmsd", False),
)

#: Bootstrap resamples used by the report.
N_BOOT = 9999


@dataclass
class StudyReport:
    """All statistics of a study, as JSON-ready rows.

    Attributes
    ----------
    summary : dict
        Design, cases, readers, methods, answers, settings.
    means : list of dict
        ``criterion, method, cases, mean, ci_low, ci_high``.
    wilcoxon : list of dict
        ``criterion, method_a, method_b, cases, median_difference, statistic, p, p_holm``.
    preferences : list of dict
        ``method_a, method_b, answers, wins_a, rate_a, ci_low, ci_high, p, p_holm``.
    agreement : list of dict
        ``criterion, readers, units, kappa, alpha``.
    correlations : list of dict
        ``criterion, metric, points, rho, p``.
    times : list of dict
        ``reader, answered, total, median_seconds, total_minutes``.
    notes : list of str
        What could not be computed and why.
    """

    summary: dict[str, Any]
    means: list[dict[str, Any]] = field(default_factory=list)
    wilcoxon: list[dict[str, Any]] = field(default_factory=list)
    preferences: list[dict[str, Any]] = field(default_factory=list)
    agreement: list[dict[str, Any]] = field(default_factory=list)
    correlations: list[dict[str, Any]] = field(default_factory=list)
    times: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every table."""
        return dict(self.__dict__)


def _quiet(function, *args, **kwargs):
    """Call a statistics function with its warnings silenced and NaN results turned into None."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _finite(value: Any) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def case_scores(results: StudyResults, criterion: str) -> dict[str, dict[int, float]]:
    """Per method, per case: the mean over readers of the ratings of one criterion."""
    sums: dict[tuple[str, int], list[int]] = defaultdict(list)
    for r in results.ratings:
        if r.criterion == criterion:
            sums[(r.method, r.case)].append(r.score)
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for (method, case), scores in sums.items():
        out[method][case] = float(np.mean(scores))
    return out


def bootstrap_mean(values: np.ndarray, *, n_boot: int, seed: int) -> tuple[float | None, ...]:
    """Mean and 95 % percentile-bootstrap interval (None when fewer than two values)."""
    values = np.asarray(values, dtype=np.float64)
    mean = float(values.mean()) if values.size else None
    if values.size < 2:
        return mean, None, None
    if np.all(values == values[0]):
        return mean, mean, mean
    from scipy.stats import bootstrap

    res = _quiet(
        bootstrap,
        (values,),
        np.mean,
        n_resamples=n_boot,
        confidence_level=0.95,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return mean, _finite(res.confidence_interval.low), _finite(res.confidence_interval.high)


def holm(pvalues: list[float | None]) -> list[float | None]:
    """Holm-adjusted p-values (statsmodels), None kept in place."""
    from statsmodels.stats.multitest import multipletests

    valid = [i for i, p in enumerate(pvalues) if p is not None]
    out: list[float | None] = [None] * len(pvalues)
    if valid:
        adjusted = multipletests([pvalues[i] for i in valid], method="holm")[1]
        for i, p in zip(valid, adjusted, strict=True):
            out[i] = float(p)
    return out


def _likert(results: StudyResults, report: StudyReport, n_boot: int, seed: int) -> None:
    from scipy.stats import wilcoxon

    for criterion in results.criteria:
        scores = case_scores(results, criterion)
        for method in results.methods:
            by_case = scores.get(method, {})
            values = np.array([by_case[c] for c in sorted(by_case)])  # case order: reproducible
            mean, low, high = bootstrap_mean(values, n_boot=n_boot, seed=seed)
            report.means.append(
                {
                    "criterion": criterion,
                    "method": method,
                    "cases": int(values.size),
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        rows = []
        for a, b in combinations(results.methods, 2):
            shared = sorted(set(scores.get(a, {})) & set(scores.get(b, {})))
            x = np.array([scores[a][c] for c in shared])
            y = np.array([scores[b][c] for c in shared])
            row = {
                "criterion": criterion,
                "method_a": a,
                "method_b": b,
                "cases": len(shared),
                "median_difference": float(np.median(x - y)) if shared else None,
                "statistic": None,
                "p": None,
            }
            if len(shared) and np.any(x != y):
                res = _quiet(wilcoxon, x, y)
                row["statistic"], row["p"] = _finite(res.statistic), _finite(res.pvalue)
            else:
                report.notes.append(
                    f"{criterion}: no Wilcoxon test for {a} vs {b} "
                    f"({'no shared cases' if not shared else 'no differences'})"
                )
            rows.append(row)
        for row, adjusted in zip(rows, holm([r["p"] for r in rows]), strict=True):
            row["p_holm"] = adjusted
        report.wilcoxon += rows


def _pairwise(results: StudyResults, report: StudyReport) -> None:
    from scipy.stats import binomtest

    rows = []
    for a, b in combinations(results.methods, 2):
        answers = [c for c in results.choices if {c.method_a, c.method_b} == {a, b}]
        wins = sum(1 for c in answers if c.chosen == a)
        row: dict[str, Any] = {
            "method_a": a,
            "method_b": b,
            "answers": len(answers),
            "wins_a": wins,
            "rate_a": wins / len(answers) if answers else None,
            "ci_low": None,
            "ci_high": None,
            "p": None,
            "mean_confidence": float(np.mean([c.confidence for c in answers])) if answers else None,
        }
        if answers:
            test = binomtest(wins, len(answers), 0.5)
            ci = test.proportion_ci(confidence_level=0.95, method="wilson")
            row.update(ci_low=float(ci.low), ci_high=float(ci.high), p=float(test.pvalue))
        rows.append(row)
    for row, adjusted in zip(rows, holm([r["p"] for r in rows]), strict=True):
        row["p_holm"] = adjusted
    report.preferences = rows


def _agreement_matrix(units: dict[Any, dict[str, float]], readers: list[str]) -> np.ndarray:
    keys = sorted(units)
    data = np.full((len(readers), len(keys)), np.nan)
    for j, key in enumerate(keys):
        for i, reader in enumerate(readers):
            if reader in units[key]:
                data[i, j] = units[key][reader]
    return data


def _kappa(x: np.ndarray, y: np.ndarray, categories: list[int], weighted: bool) -> float | None:
    from statsmodels.stats.inter_rater import cohens_kappa

    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for u, v in zip(x, y, strict=True):
        table[index[int(u)], index[int(v)]] += 1
    kappa = _quiet(cohens_kappa, table, wt="quadratic" if weighted else None, return_results=False)
    return _finite(kappa)


def _alpha(data: np.ndarray, level: str, domain: list[int]) -> float | None:
    import krippendorff

    pairable = np.sum(np.sum(~np.isnan(data), axis=0) >= 2)
    if pairable < 1:
        return None
    values = data[~np.isnan(data)]
    if np.unique(values).size < 2:
        return None
    return _finite(
        _quiet(
            krippendorff.alpha,
            reliability_data=data,
            level_of_measurement=level,
            value_domain=domain,
        )
    )


def _agreement(results: StudyResults, report: StudyReport) -> None:
    readers = results.readers
    if len(readers) < 2:
        report.notes.append("agreement needs at least two readers")
        return
    groups: list[tuple[str, dict[Any, dict[str, float]], str, list[int], bool]] = []
    if results.design == "likert":
        for criterion in results.criteria:
            units: dict[Any, dict[str, float]] = defaultdict(dict)
            for r in results.ratings:
                if r.criterion == criterion:
                    units[r.trial][r.reader] = r.score
            groups.append((criterion, units, "ordinal", [1, 2, 3, 4, 5], True))
    else:
        units = defaultdict(dict)
        for c in results.choices:
            units[c.trial][c.reader] = 0 if c.chosen == c.method_a else 1
        groups.append(("preference", units, "nominal", [0, 1], False))
    for name, units, level, domain, weighted in groups:
        data = _agreement_matrix(units, readers)
        row: dict[str, Any] = {
            "criterion": name,
            "readers": len(readers),
            "units": int(np.sum(np.sum(~np.isnan(data), axis=0) >= 2)),
            "kappa": None,
            "alpha": _alpha(data, level, domain),
        }
        if len(readers) == 2:
            both = ~np.isnan(data).any(axis=0)
            if both.sum() >= 2:
                row["kappa"] = _kappa(data[0, both], data[1, both], domain, weighted)
        if row["alpha"] is None:
            report.notes.append(f"{name}: agreement not computable (too few shared trials)")
        report.agreement.append(row)


def _reader_scores(results: StudyResults, criterion: str | None) -> dict[tuple[int, str], float]:
    """Per (case, method): mean rating (Likert) or fraction of comparisons won (pairwise)."""
    if criterion is not None:
        return {
            (case, method): value
            for method, by_case in case_scores(results, criterion).items()
            for case, value in by_case.items()
        }
    won: dict[tuple[int, str], list[int]] = defaultdict(list)
    for c in results.choices:
        for method in (c.method_a, c.method_b):
            won[(c.case, method)].append(int(c.chosen == method))
    return {key: float(np.mean(v)) for key, v in won.items()}


def _correlations(results: StudyResults, report: StudyReport) -> None:
    from scipy.stats import spearmanr

    criteria = results.criteria if results.design == "likert" else [None]
    for criterion in criteria:
        scores = _reader_scores(results, criterion)
        for metric, _higher in CORRELATED_METRICS:
            keys = [
                k
                for k in sorted(scores)
                if results.metrics.get(k, {}).get(metric) is not None
                and np.isfinite(results.metrics[k][metric])
            ]
            x = np.array([scores[k] for k in keys])
            y = np.array([results.metrics[k][metric] for k in keys])
            row = {
                "criterion": criterion or "preference",
                "metric": metric,
                "points": len(keys),
                "rho": None,
                "p": None,
            }
            if len(keys) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
                res = _quiet(spearmanr, x, y)
                row["rho"], row["p"] = _finite(res.statistic), _finite(res.pvalue)
            report.correlations.append(row)
    if results.meta.get("settings", {}).get("lpips") is False:
        report.notes.append("LPIPS was not computed for this study (created with --no-lpips)")


def _times(results: StudyResults, report: StudyReport) -> None:
    seconds: dict[str, dict[int, float]] = defaultdict(dict)
    for r in results.ratings:
        seconds[r.reader][r.trial] = r.seconds
    for c in results.choices:
        seconds[c.reader][c.trial] = c.seconds
    for reader in results.readers:
        values = list(seconds.get(reader, {}).values())
        done, total = results.progress.get(reader, (0, 0))
        report.times.append(
            {
                "reader": reader,
                "answered": done,
                "total": total,
                "median_seconds": float(np.median(values)) if values else None,
                "total_minutes": float(np.sum(values) / 60.0) if values else None,
            }
        )


def analyse(results: StudyResults, *, n_boot: int = N_BOOT, seed: int = 0) -> StudyReport:
    """Compute every statistic of a study.

    Parameters
    ----------
    results : StudyResults
        From :func:`denoscope.core.study.results.load_results`.
    n_boot : int, optional
        Bootstrap resamples.
    seed : int, optional
        Bootstrap seed (the report is reproducible).

    Returns
    -------
    StudyReport
        Every table; see the module docstring for the methods.
    """
    settings = results.meta.get("settings", {})
    report = StudyReport(
        summary={
            "design": results.design,
            "cases": results.cases,
            "methods": results.methods,
            "criteria": [list(c) for c in results.meta.get("criteria", [])],
            "readers": len(results.readers),
            "answers": len(results.choices) + len({(r.reader, r.trial) for r in results.ratings}),
            "retracted": results.retracted,
            "with_reference": bool(results.meta.get("with_reference", False)),
            "seed": results.meta.get("seed"),
            "created_at": results.meta.get("created_at"),
            "noise": settings.get("noise"),
            "models": settings.get("models") or {},
            "pipeline_notes": settings.get("notes") or [],
            "baseline_sigma_rule": settings.get("baseline_sigma_rule"),
            "bootstrap": {"resamples": n_boot, "seed": seed, "method": "percentile"},
            "denoscope_version": settings.get("denoscope_version"),
        }
    )
    if results.design == "likert":
        _likert(results, report, n_boot, seed)
    else:
        _pairwise(results, report)
    _agreement(results, report)
    _correlations(results, report)
    _times(results, report)
    return report
