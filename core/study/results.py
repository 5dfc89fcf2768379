"""Read a study's answers and metrics into plain records for the analysis and the CSV export.

Only what a report needs leaves the file: case labels (``case 1``...), method
keys, reader names, answers, reading times and metrics. Source file names,
checksums and image data stay inside; the study holds no DICOM header at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from denoscope.core.study import schema


@dataclass(frozen=True)
class Rating:
    """One Likert score: reader, case, method, criterion, score (1-5), seconds of the trial."""

    reader: str
    case: int
    method: str
    criterion: str
    score: int
    seconds: float
    trial: int


@dataclass(frozen=True)
class Choice:
    """One pairwise answer: the two methods of the trial, the one chosen, confidence, seconds."""

    reader: str
    case: int
    method_a: str
    method_b: str
    chosen: str
    confidence: int
    seconds: float
    side: str
    trial: int


@dataclass
class StudyResults:
    """Everything the analysis reads from a study file.

    Attributes
    ----------
    meta : dict
        The study's settings (design, methods, criteria, noise, seed, model).
    cases : int
        Number of cases.
    readers : list of str
        Readers who opened the study, in order of first opening.
    progress : dict of str to (int, int)
        Answered and total trials per reader.
    ratings : list of Rating
        Likert answers (not retracted).
    choices : list of Choice
        Pairwise answers (not retracted).
    metrics : dict of (int, str) to dict of str to float or None
        Metrics per (case, method) against the reference.
    retracted : int
        Answers undone by their reader (kept in the file, not analysed).
    """

    meta: dict[str, Any]
    cases: int
    readers: list[str]
    progress: dict[str, tuple[int, int]]
    ratings: list[Rating] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    metrics: dict[tuple[int, str], dict[str, float | None]] = field(default_factory=dict)
    retracted: int = 0

    @property
    def design(self) -> str:
        """``"likert"`` or ``"pairwise"``."""
        return str(self.meta["design"])

    @property
    def methods(self) -> list[str]:
        """The methods compared, in the study's order."""
        return list(self.meta["methods"])

    @property
    def criteria(self) -> list[str]:
        """Likert criterion keys (empty for pairwise)."""
        return [c[0] for c in self.meta["criteria"]]


def load_results(path: str | Path) -> StudyResults:
    """Read a study file's answers and metrics (read-only).

    Raises
    ------
    StudyFileError
        Missing, damaged or newer-schema file.
    """
    path = Path(path).expanduser()
    conn = schema.connect(path, readonly=True)
    try:
        meta = schema.read_meta(conn, path)
        with schema.translated_errors(path, "reading the answers"):
            cases = int(conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0])
            readers = [r[0] for r in conn.execute("SELECT name FROM readers ORDER BY id")]
            totals = dict(
                conn.execute(
                    "SELECT r.name, COUNT(rt.position) FROM readers r"
                    " LEFT JOIN reader_trials rt ON rt.reader_id = r.id GROUP BY r.id"
                ).fetchall()
            )
            answered = dict(
                conn.execute(
                    "SELECT r.name, COUNT(a.id) FROM readers r LEFT JOIN answers a"
                    " ON a.reader_id = r.id AND a.retracted = 0 GROUP BY r.id"
                ).fetchall()
            )
            retracted = int(
                conn.execute("SELECT COUNT(*) FROM answers WHERE retracted = 1").fetchone()[0]
            )
            ratings = [
                Rating(*row)
                for row in conn.execute(
                    "SELECT r.name, t.case_id, t.method_a, g.criterion, g.score, a.seconds, t.id"
                    " FROM answers a JOIN readers r ON r.id = a.reader_id"
                    " JOIN trials t ON t.id = a.trial_id JOIN ratings g ON g.answer_id = a.id"
                    " WHERE a.retracted = 0 ORDER BY a.id, g.criterion"
                )
            ]
            choices = [
                Choice(*row)
                for row in conn.execute(
                    "SELECT r.name, t.case_id, t.method_a, t.method_b, a.choice, a.confidence,"
                    " a.seconds, a.side, t.id FROM answers a"
                    " JOIN readers r ON r.id = a.reader_id JOIN trials t ON t.id = a.trial_id"
                    " WHERE a.retracted = 0 AND t.method_b IS NOT NULL ORDER BY a.id"
                )
            ]
            metrics: dict[tuple[int, str], dict[str, float | None]] = {}
            for case, method, name, value in conn.execute(
                "SELECT case_id, method, name, value FROM metrics"
            ):
                metrics.setdefault((int(case), method), {})[name] = value
    finally:
        conn.close()
    progress = {name: (int(answered.get(name, 0)), int(totals.get(name, 0))) for name in readers}
    return StudyResults(
        meta=meta,
        cases=cases,
        readers=readers,
        progress=progress,
        ratings=ratings,
        choices=choices,
        metrics=metrics,
        retracted=retracted,
    )
