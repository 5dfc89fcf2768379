"""One reader's session on a study file: blinded trials in their order, answers committed at once.

The reading window (:mod:`denoscope.app.study`) only talks to this class. A
:class:`Trial` it hands out carries images and the reader's position, never a
method name or a metric, so nothing a window can show reveals the method. The
method behind a side is resolved here when the answer is stored.

Every answer is one ``BEGIN IMMEDIATE`` transaction, committed before
:meth:`ReaderSession.answer` returns; a crash or ``kill -9`` loses at most the
case on screen. Two readers (two processes) may read the same file at once.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.errors import ParameterError
from denoscope.core.study import schema
from denoscope.core.study.design import CONFIDENCE_LEVELS, REFERENCE
from denoscope.core.study.order import reader_order, reader_seed

#: Longest reader name accepted.
MAX_READER_NAME = 64


@dataclass(frozen=True)
class Pane:
    """One image a reader sees.

    Attributes
    ----------
    key : {"single", "left", "right", "reference"}
        Where it goes.
    image : ndarray of float32, shape (rows, cols)
        In modality units (HU for CT).
    """

    key: str
    image: np.ndarray


@dataclass(frozen=True)
class Trial:
    """What the reading window shows for one trial (blinded).

    Attributes
    ----------
    position : int
        0-based position in the reader's order.
    total : int
        Number of trials for this reader.
    panes : tuple of Pane
        ``single`` (Likert) or ``left`` and ``right`` (pairwise), plus
        ``reference`` when the study shows it.
    window : tuple of float
        Suggested display window (center, width) in modality units.
    unit : str
        The pixel unit (:func:`denoscope.core.modality.pixel_unit`: ``"HU"`` for CT
        in Hounsfield units, else ``"a.u."``).
    pixel_spacing : tuple of float or None
        (row, col) in mm.
    """

    position: int
    total: int
    panes: tuple[Pane, ...]
    window: tuple[float, float]
    unit: str
    pixel_spacing: tuple[float, float] | None


def _check_reader(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_READER_NAME or not name.isprintable():
        raise ParameterError(
            "a reader needs a name",
            got=repr(name),
            expected=f"1-{MAX_READER_NAME} printable characters, e.g. initials",
        )
    return name


class ReaderSession:
    """A reader's open session on a study file.

    Parameters
    ----------
    path : str or Path
        The ``.denostudy`` file.
    reader : str
        The reader's name (initials are enough); the first opening records
        the reader's seeded order in the file.

    Raises
    ------
    StudyFileError
        Missing, damaged or newer-schema file.
    ParameterError
        An empty or overlong reader name.
    """

    def __init__(self, path: str | Path, reader: str) -> None:
        self.path = Path(path).expanduser()
        self.reader = _check_reader(reader)
        self._conn = schema.connect(self.path)
        try:
            self.meta = schema.read_meta(self._conn, self.path)
            self.design: str = self.meta["design"]
            self.criteria: list[tuple[str, str]] = [tuple(c) for c in self.meta["criteria"]]
            self.with_reference = bool(self.meta.get("with_reference", False))
            self.reader_id = self._register()
            with schema.translated_errors(self.path, "reading the reader's order"):
                self._order = self._conn.execute(
                    "SELECT position, trial_id, swap FROM reader_trials WHERE reader_id = ?"
                    " ORDER BY position",
                    (self.reader_id,),
                ).fetchall()
        except BaseException:
            self._conn.close()
            raise
        if not self._order:
            raise schema.StudyFileError("the study has no trials", path=self.path)

    # -- set-up -------------------------------------------------------------------------
    def _register(self) -> int:
        conn = self._conn
        with schema.translated_errors(self.path, "registering the reader"):
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT id FROM readers WHERE name = ?", (self.reader,)
                ).fetchone()
                if row is None:
                    trial_ids = [r[0] for r in conn.execute("SELECT id FROM trials ORDER BY id")]
                    order = reader_order(
                        trial_ids,
                        study_seed=int(self.meta.get("seed", 0)),
                        reader=self.reader,
                        pairwise=self.design == "pairwise",
                    )
                    cursor = conn.execute(
                        "INSERT INTO readers (name, seed, created_at) VALUES (?, ?, ?)",
                        (self.reader, str(reader_seed(self.reader)), _now()),
                    )
                    reader_id = int(cursor.lastrowid)
                    conn.executemany(
                        "INSERT INTO reader_trials (reader_id, position, trial_id, swap)"
                        " VALUES (?, ?, ?, ?)",
                        [(reader_id, k, t, int(s)) for k, (t, s) in enumerate(order)],
                    )
                else:
                    reader_id = int(row[0])
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        return reader_id

    # -- progress -----------------------------------------------------------------------
    @property
    def total(self) -> int:
        """Number of trials for this reader."""
        return len(self._order)

    def answered(self) -> int:
        """Number of trials this reader has answered (retracted answers not counted)."""
        with schema.translated_errors(self.path, "counting answers"):
            return int(
                self._conn.execute(
                    "SELECT COUNT(*) FROM answers WHERE reader_id = ? AND retracted = 0",
                    (self.reader_id,),
                ).fetchone()[0]
            )

    def position(self) -> int:
        """The first position without an answer (``total`` when the reader is done)."""
        with schema.translated_errors(self.path, "finding the next case"):
            done = {
                r[0]
                for r in self._conn.execute(
                    "SELECT position FROM answers WHERE reader_id = ? AND retracted = 0",
                    (self.reader_id,),
                )
            }
        for position, _trial, _swap in self._order:
            if position not in done:
                return int(position)
        return self.total

    # -- trials -------------------------------------------------------------------------
    def _image(self, case_id: int, method: str) -> np.ndarray:
        row = self._conn.execute(
            "SELECT dtype, shape, sha256, data FROM images WHERE case_id = ? AND method = ?",
            (case_id, method),
        ).fetchone()
        if row is None:
            raise schema.StudyFileError(
                "a case's image is missing from the study",
                path=self.path,
                got=f"case {case_id}",
                fix="The file is incomplete: create the study again (answers so far are kept)",
            )
        return schema.decode_array(*row, path=self.path)

    def trial(self, position: int) -> Trial:
        """The blinded trial at ``position`` of this reader's order.

        Raises
        ------
        StudyFileError
            The case or its images are missing or damaged.
        """
        if not 0 <= position < self.total:
            raise ParameterError(
                "no such position", got=str(position), expected=f"0-{self.total - 1}"
            )
        _pos, trial_id, swap = self._order[position]
        with schema.translated_errors(self.path, "reading a case"):
            row = self._conn.execute(
                "SELECT t.case_id, t.method_a, t.method_b, c.normalization, c.window_center,"
                " c.window_width, c.unit, c.pixel_spacing FROM trials t"
                " LEFT JOIN cases c ON c.id = t.case_id WHERE t.id = ?",
                (trial_id,),
            ).fetchone()
            if row is None or row[3] is None:
                raise schema.StudyFileError(
                    "a case is missing from the study",
                    path=self.path,
                    got=f"position {position + 1}",
                    fix="The file is incomplete: create the study again (answers so far are kept)",
                )
            case_id, method_a, method_b, norm_json, center, width, unit, spacing = row
            from denoscope.core.intensity import Normalization

            norm = Normalization.model_validate_json(norm_json)
            if method_b is None:
                keys = [("single", method_a)]
            else:
                left, right = (method_b, method_a) if swap else (method_a, method_b)
                keys = [("left", left), ("right", right)]
            if self.with_reference:
                keys.append(("reference", REFERENCE))
            panes = tuple(
                Pane(key, norm.from_unit(self._image(case_id, method))) for key, method in keys
            )
        return Trial(
            position=position,
            total=self.total,
            panes=panes,
            window=(float(center), float(width)),
            unit=str(unit),
            pixel_spacing=tuple(json.loads(spacing)) if spacing else None,
        )

    # -- answers ------------------------------------------------------------------------
    def answer(
        self,
        position: int,
        *,
        seconds: float,
        ratings: dict[str, int] | None = None,
        side: str | None = None,
        confidence: int | None = None,
    ) -> None:
        """Store the answer to the trial at ``position``, committed before returning.

        Parameters
        ----------
        position : int
            The position answered (must be the next unanswered one).
        seconds : float
            Reading time of the case (pauses excluded).
        ratings : dict of str to int, optional
            Likert: every criterion rated 1-5.
        side : {"left", "right"}, optional
            Pairwise: the side preferred.
        confidence : int, optional
            Pairwise: a level of :data:`CONFIDENCE_LEVELS`.

        Raises
        ------
        ParameterError
            Incomplete or out-of-range answer, or not the next position.
        StudyFileError
            The file cannot be written (the message says why).
        """
        _pos, trial_id, swap = self._order[position]
        if self.design == "likert":
            keys = [k for k, _q in self.criteria]
            if ratings is None or sorted(ratings) != sorted(keys):
                raise ParameterError("rate every criterion", got=str(ratings), expected=str(keys))
            if any(int(v) not in range(1, 6) for v in ratings.values()):
                raise ParameterError("ratings go from 1 to 5", got=str(ratings))
        else:
            if side not in ("left", "right"):
                raise ParameterError("choose left or right", got=repr(side))
            if confidence not in dict(CONFIDENCE_LEVELS):
                raise ParameterError(
                    "choose a confidence level", got=repr(confidence), expected="1, 2 or 3"
                )
        conn = self._conn
        with schema.translated_errors(self.path, "saving the answer"):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if position != self._next_unanswered_locked():
                    raise ParameterError(
                        "this case is not the next one to answer",
                        got=f"position {position + 1}",
                        fix="Another window of the same reader may have answered it; reopen",
                    )
                choice = None
                if side is not None:
                    a, b = conn.execute(
                        "SELECT method_a, method_b FROM trials WHERE id = ?", (trial_id,)
                    ).fetchone()
                    left, right = (b, a) if swap else (a, b)
                    choice = left if side == "left" else right
                cursor = conn.execute(
                    "INSERT INTO answers (reader_id, trial_id, position, choice, side,"
                    " confidence, seconds, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        self.reader_id,
                        trial_id,
                        position,
                        choice,
                        side,
                        confidence,
                        float(seconds),
                        _now(),
                    ),
                )
                if ratings is not None and self.design == "likert":
                    conn.executemany(
                        "INSERT INTO ratings (answer_id, criterion, score) VALUES (?, ?, ?)",
                        [(cursor.lastrowid, k, int(v)) for k, v in ratings.items()],
                    )
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    def _next_unanswered_locked(self) -> int:
        done = {
            r[0]
            for r in self._conn.execute(
                "SELECT position FROM answers WHERE reader_id = ? AND retracted = 0",
                (self.reader_id,),
            )
        }
        return next((p for p, _t, _s in self._order if p not in done), self.total)

    def undo(self) -> int | None:
        """Retract this reader's latest answer (kept in the file, marked retracted).

        Returns
        -------
        int or None
            The position to answer again, or None when there was nothing to undo.
        """
        conn = self._conn
        with schema.translated_errors(self.path, "undoing the last answer"):
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT id, position FROM answers WHERE reader_id = ? AND retracted = 0"
                    " ORDER BY id DESC LIMIT 1",
                    (self.reader_id,),
                ).fetchone()
                if row is not None:
                    conn.execute("UPDATE answers SET retracted = 1 WHERE id = ?", (row[0],))
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        return None if row is None else int(row[1])

    def previous_answer(self, position: int) -> dict[str, Any] | None:
        """The latest retracted answer at ``position`` (to pre-fill after an undo), or None."""
        _pos, trial_id, swap = self._order[position]
        with schema.translated_errors(self.path, "reading an answer"):
            row = self._conn.execute(
                "SELECT id, side, confidence FROM answers WHERE reader_id = ? AND trial_id = ?"
                " AND retracted = 1 ORDER BY id DESC LIMIT 1",
                (self.reader_id, trial_id),
            ).fetchone()
            if row is None:
                return None
            ratings = dict(
                self._conn.execute(
                    "SELECT criterion, score FROM ratings WHERE answer_id = ?", (row[0],)
                ).fetchall()
            )
        return {"ratings": ratings, "side": row[1], "confidence": row[2]}

    def close(self) -> None:
        """Close the database connection (answers are already committed)."""
        self._conn.close()

    def __enter__(self) -> ReaderSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already done so."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
