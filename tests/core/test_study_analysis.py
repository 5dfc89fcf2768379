"""The report's statistics equal values computed independently here (raw SQL, scipy, closed forms)."""

from __future__ import annotations

import dataclasses
import math
import sqlite3
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from denoscope.core.study import ReaderSession
from denoscope.core.study.analysis import analyse
from denoscope.core.study.results import load_results
from tests.core.study_helpers import make_study

METHODS = ("gaussian", "nlmeans", "noisy")
READERS = ("R1", "R2", "R3")
N_BOOT = 999


def _holm(p: list[float]) -> list[float]:
    """Holm step-down adjustment written out (not statsmodels)."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval from its closed form."""
    phat = k / n
    centre = (phat + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _kappa(x: list[int], y: list[int], categories: list[int], *, quadratic: bool) -> float:
    """Cohen's kappa from its definition: 1 - sum(w * observed) / sum(w * expected)."""
    k = len(categories)
    index = {c: i for i, c in enumerate(categories)}
    observed = np.zeros((k, k))
    for a, b in zip(x, y, strict=True):
        observed[index[a], index[b]] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((k, k))
    weights = ((i - j) / (k - 1)) ** 2 if quadratic else (i != j).astype(float)
    return float(1 - (weights * observed).sum() / (weights * expected).sum())


@pytest.fixture(scope="module")
def likert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Likert study of 6 cases read by three scripted readers with method-dependent scores."""
    folder = tmp_path_factory.mktemp("likert")
    path = make_study(folder, methods=METHODS, n_cases=6, seed=2)
    base = {"gaussian": 3.0, "nlmeans": 4.0, "noisy": 2.0}
    for r, reader in enumerate(READERS):
        rng = np.random.default_rng(10 + r)
        with ReaderSession(path, reader) as session:
            conn = sqlite3.connect(path)
            for position in range(session.total):
                trial_id = session._order[position][1]
                method = conn.execute(
                    "SELECT method_a FROM trials WHERE id = ?", (trial_id,)
                ).fetchone()[0]
                ratings = {
                    k: int(np.clip(round(base[method] + rng.normal(0, 1.0)), 1, 5))
                    for k, _q in session.criteria
                }
                session.answer(position, seconds=float(rng.uniform(1, 5)), ratings=ratings)
            conn.close()
    return path


def _raw_ratings(path: Path) -> list[tuple[str, int, int, str, str, int]]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT r.name, t.id, t.case_id, t.method_a, g.criterion, g.score FROM ratings g"
        " JOIN answers a ON a.id = g.answer_id JOIN readers r ON r.id = a.reader_id"
        " JOIN trials t ON t.id = a.trial_id WHERE a.retracted = 0"
    ).fetchall()
    conn.close()
    return rows


def _case_means(rows, criterion: str) -> dict[str, dict[int, float]]:
    collected: dict[tuple[str, int], list[int]] = defaultdict(list)
    for _reader, _trial, case, method, crit, score in rows:
        if crit == criterion:
            collected[(method, case)].append(score)
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for (method, case), scores in collected.items():
        out[method][case] = sum(scores) / len(scores)
    return out


def test_likert_means_wilcoxon_holm_and_spearman_match_scipy(likert: Path) -> None:
    report = analyse(load_results(likert), n_boot=N_BOOT, seed=5)
    rows = _raw_ratings(likert)
    assert len(rows) == 3 * 18 * 2
    conn = sqlite3.connect(likert)
    metrics = {
        (case, method, name): value
        for case, method, name, value in conn.execute(
            "SELECT case_id, method, name, value FROM metrics"
        )
    }
    conn.close()
    for criterion in ("overall", "noise"):
        means = _case_means(rows, criterion)
        for method in METHODS:
            x = np.array([means[method][c] for c in sorted(means[method])])
            ci = stats.bootstrap(
                (x,), np.mean, n_resamples=N_BOOT, method="percentile", rng=np.random.default_rng(5)
            ).confidence_interval
            row = next(
                r for r in report.means if r["criterion"] == criterion and r["method"] == method
            )
            assert row["cases"] == 6
            assert row["mean"] == pytest.approx(x.mean(), abs=1e-12)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)
        pairs = [(a, b) for i, a in enumerate(METHODS) for b in METHODS[i + 1 :]]
        pvalues = []
        for a, b in pairs:
            x = np.array([means[a][c] for c in range(1, 7)])
            y = np.array([means[b][c] for c in range(1, 7)])
            expected = stats.wilcoxon(x, y)
            row = next(
                r
                for r in report.wilcoxon
                if r["criterion"] == criterion and (r["method_a"], r["method_b"]) == (a, b)
            )
            assert row["p"] == pytest.approx(expected.pvalue, abs=1e-12)
            assert row["statistic"] == pytest.approx(expected.statistic)
            assert row["median_difference"] == pytest.approx(float(np.median(x - y)))
            pvalues.append(expected.pvalue)
        holm = _holm(pvalues)
        got = [r["p_holm"] for r in report.wilcoxon if r["criterion"] == criterion]
        assert got == pytest.approx(holm, abs=1e-12)
        for name in ("psnr", "ssim", "gmsd"):
            keys = sorted((c, m) for m in METHODS for c in means[m])
            expected = stats.spearmanr(
                [means[m][c] for c, m in keys], [metrics[(c, m, name)] for c, m in keys]
            )
            row = next(
                r
                for r in report.correlations
                if r["criterion"] == criterion and r["metric"] == name
            )
            assert row["points"] == 18
            assert row["rho"] == pytest.approx(expected.statistic, abs=1e-12)
            assert row["p"] == pytest.approx(expected.pvalue, abs=1e-12)
    lpips = [r for r in report.correlations if r["metric"] == "lpips"]
    assert all(r["rho"] is None for r in lpips)
    assert "LPIPS was not computed for this study (created with --no-lpips)" in report.notes


def test_agreement_matches_kappa_by_definition_and_krippendorff(likert: Path) -> None:
    import krippendorff

    results = load_results(likert)
    rows = _raw_ratings(likert)
    by_trial: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for reader, trial, _case, _method, criterion, score in rows:
        by_trial[(criterion, trial)][reader] = score
    report = analyse(results, n_boot=200, seed=0)
    for criterion in ("overall", "noise"):
        trials = sorted(t for c, t in by_trial if c == criterion)
        data = np.array([[by_trial[(criterion, t)][r] for t in trials] for r in READERS], float)
        expected = krippendorff.alpha(
            reliability_data=data, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5]
        )
        row = next(r for r in report.agreement if r["criterion"] == criterion)
        assert row["readers"] == 3 and row["units"] == 18 and row["kappa"] is None
        assert row["alpha"] == pytest.approx(expected, abs=1e-12)

    two = dataclasses.replace(
        results,
        readers=["R1", "R2"],
        ratings=[r for r in results.ratings if r.reader != "R3"],
    )
    report2 = analyse(two, n_boot=200, seed=0)
    for criterion in ("overall", "noise"):
        trials = sorted(t for c, t in by_trial if c == criterion)
        r1 = [by_trial[(criterion, t)]["R1"] for t in trials]
        r2 = [by_trial[(criterion, t)]["R2"] for t in trials]
        expected = _kappa(r1, r2, [1, 2, 3, 4, 5], quadratic=True)
        row = next(r for r in report2.agreement if r["criterion"] == criterion)
        assert row["kappa"] == pytest.approx(expected, abs=1e-9)


def test_pairwise_preferences_wilson_binomial_holm_and_kappa(tmp_path: Path) -> None:
    path = make_study(tmp_path, design="pairwise", methods=METHODS, n_cases=4)
    preferred = {"nlmeans": 2, "gaussian": 1, "noisy": 0}
    for r, reader in enumerate(("P1", "P2")):
        rng = np.random.default_rng(r)
        with ReaderSession(path, reader) as session:
            conn = sqlite3.connect(path)
            for position in range(session.total):
                _p, trial_id, swap = session._order[position]
                a, b = conn.execute(
                    "SELECT method_a, method_b FROM trials WHERE id = ?", (trial_id,)
                ).fetchone()
                left, right = (b, a) if swap else (a, b)
                better = left if preferred[left] > preferred[right] else right
                if rng.random() < 0.25:  # readers disagree now and then
                    better = right if better == left else left
                session.answer(
                    position,
                    seconds=2.0,
                    side="left" if better == left else "right",
                    confidence=int(rng.integers(1, 4)),
                )
            conn.close()
    report = analyse(load_results(path), n_boot=200, seed=0)
    conn = sqlite3.connect(path)
    raw = conn.execute(
        "SELECT r.name, t.id, t.method_a, t.method_b, a.choice FROM answers a"
        " JOIN trials t ON t.id = a.trial_id JOIN readers r ON r.id = a.reader_id"
    ).fetchall()
    conn.close()
    pvalues = []
    for a, b in (("gaussian", "nlmeans"), ("gaussian", "noisy"), ("nlmeans", "noisy")):
        chosen = [c for _r, _t, ma, mb, c in raw if {ma, mb} == {a, b}]
        k, n = sum(c == a for c in chosen), len(chosen)
        row = next(r for r in report.preferences if (r["method_a"], r["method_b"]) == (a, b))
        assert (row["answers"], row["wins_a"]) == (n, k) == (8, k)
        assert row["rate_a"] == pytest.approx(k / n)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(_wilson(k, n), abs=1e-9)
        expected_p = stats.binomtest(k, n, 0.5).pvalue
        assert row["p"] == pytest.approx(expected_p, abs=1e-12)
        pvalues.append(expected_p)
    assert [r["p_holm"] for r in report.preferences] == pytest.approx(_holm(pvalues), abs=1e-12)
    by_trial: dict[int, dict[str, int]] = defaultdict(dict)
    for reader, trial, ma, _mb, c in raw:
        by_trial[trial][reader] = int(c != ma)
    trials = sorted(by_trial)
    expected_kappa = _kappa(
        [by_trial[t]["P1"] for t in trials],
        [by_trial[t]["P2"] for t in trials],
        [0, 1],
        quadratic=False,
    )
    row = report.agreement[0]
    assert row["criterion"] == "preference" and row["units"] == 12
    assert row["kappa"] == pytest.approx(expected_kappa, abs=1e-9)


def test_one_reader_and_no_differences_give_notes_not_errors(tmp_path: Path) -> None:
    path = make_study(tmp_path, methods=("gaussian", "noisy"), n_cases=2)
    with ReaderSession(path, "solo") as session:
        for position in range(session.total):
            session.answer(position, seconds=1.0, ratings={"overall": 3, "noise": 3})
    report = analyse(load_results(path), n_boot=200, seed=0)
    assert all(r["p"] is None for r in report.wilcoxon)
    assert any("no differences" in n for n in report.notes)
    assert "agreement needs at least two readers" in report.notes
    assert all(r["ci_low"] == r["ci_high"] == 3.0 for r in report.means)
