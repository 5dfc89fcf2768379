"""Reader sessions: seeded recorded orders, answers committed at once, undo, resume, concurrency."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from denoscope.core.errors import ParameterError
from denoscope.core.study import ReaderSession, StudyFileError
from denoscope.core.study.order import reader_order
from tests.core.study_helpers import answer_all, make_study


@pytest.fixture(scope="module")
def pairwise_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pairwise")
    return make_study(folder, design="pairwise", methods=("gaussian", "nlmeans", "noisy"))


def _count(path: Path, reader: str | None = None) -> int:
    conn = sqlite3.connect(path)
    sql = "SELECT COUNT(*) FROM answers a JOIN readers r ON r.id = a.reader_id WHERE retracted = 0"
    args: tuple = ()
    if reader is not None:
        sql += " AND r.name = ?"
        args = (reader,)
    count = conn.execute(sql, args).fetchone()[0]
    conn.close()
    return int(count)


def test_order_is_seeded_per_reader_and_sides_are_randomised() -> None:
    trials = list(range(1, 61))
    a1 = reader_order(trials, study_seed=3, reader="AB", pairwise=True)
    a2 = reader_order(trials, study_seed=3, reader="AB", pairwise=True)
    b = reader_order(trials, study_seed=3, reader="CD", pairwise=True)
    other_seed = reader_order(trials, study_seed=4, reader="AB", pairwise=True)
    assert a1 == a2
    assert sorted(t for t, _s in a1) == trials
    assert [t for t, _ in a1] != [t for t, _ in b] != [t for t, _ in other_seed]
    swaps = [s for _t, s in a1]
    assert 15 < sum(swaps) < 45, "left/right must be randomised"
    assert not any(s for _t, s in reader_order(trials, study_seed=3, reader="AB", pairwise=False))


def test_order_is_recorded_and_resumed(pairwise_study: Path) -> None:
    with ReaderSession(pairwise_study, "order-reader") as session:
        recorded = list(session._order)
        assert [(t, bool(s)) for _p, t, s in recorded] == reader_order(
            sorted(t for _p, t, _s in recorded),
            study_seed=0,
            reader="order-reader",
            pairwise=True,
        )
        session.answer(0, seconds=3.0, side="left", confidence=2)
    with ReaderSession(pairwise_study, "order-reader") as session:
        assert list(session._order) == recorded
        assert session.position() == 1 and session.answered() == 1


def test_trial_resolves_sides_and_stores_the_chosen_method(pairwise_study: Path) -> None:
    with ReaderSession(pairwise_study, "sides") as session:
        _p, trial_id, swap = session._order[0]
        trial = session.trial(0)
        assert [p.key for p in trial.panes] == ["left", "right"]
        assert trial.total == 9 and trial.position == 0
        session.answer(0, seconds=2.5, side="right", confidence=3)
    conn = sqlite3.connect(pairwise_study)
    a, b = conn.execute(
        "SELECT method_a, method_b FROM trials WHERE id = ?", (trial_id,)
    ).fetchone()
    chosen, side = conn.execute(
        "SELECT choice, side FROM answers WHERE trial_id = ? AND reader_id ="
        " (SELECT id FROM readers WHERE name = 'sides')",
        (trial_id,),
    ).fetchone()
    conn.close()
    assert side == "right" and chosen == (a if swap else b)


def test_answers_are_checked_undo_retracts_and_resume_continues(tmp_path: Path) -> None:
    path = make_study(tmp_path, methods=("gaussian", "noisy"), n_cases=2)
    session = ReaderSession(path, "AB")
    with pytest.raises(ParameterError, match="rate every criterion"):
        session.answer(0, seconds=1.0, ratings={"overall": 3})
    with pytest.raises(ParameterError, match="1 to 5"):
        session.answer(0, seconds=1.0, ratings={"overall": 6, "noise": 3})
    with pytest.raises(ParameterError, match="not the next one"):
        session.answer(2, seconds=1.0, ratings={"overall": 3, "noise": 3})
    session.answer(0, seconds=1.0, ratings={"overall": 4, "noise": 2})
    session.answer(1, seconds=1.0, ratings={"overall": 5, "noise": 5})
    assert _count(path) == 2
    assert session.undo() == 1
    assert _count(path) == 1 and session.position() == 1
    assert session.previous_answer(1)["ratings"] == {"overall": 5, "noise": 5}
    session.answer(1, seconds=1.0, ratings={"overall": 1, "noise": 1})
    session.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM answers WHERE retracted = 1").fetchone()[0] == 1
    conn.close()
    assert answer_all(path, "AB", seed=1) == 2  # resumes at position 2
    assert _count(path, "AB") == 4
    with ReaderSession(path, "AB") as session:
        assert session.position() == session.total == 4
    with pytest.raises(ParameterError, match="needs a name"):
        ReaderSession(path, "   ")


def _reader_process(path: str, reader: str) -> None:
    answer_all(Path(path), reader, seed=ord(reader[0]))


def test_two_readers_at_the_same_time_lose_no_answer(pairwise_study: Path) -> None:
    context = multiprocessing.get_context("spawn")
    readers = [
        context.Process(target=_reader_process, args=(str(pairwise_study), r)) for r in ("P", "Q")
    ]
    for process in readers:
        process.start()
    for process in readers:
        process.join(120)
        assert process.exitcode == 0
    assert _count(pairwise_study, "P") == 9 and _count(pairwise_study, "Q") == 9


def test_missing_case_image_is_a_clear_error_and_answers_stay(tmp_path: Path) -> None:
    path = make_study(tmp_path, methods=("gaussian", "noisy"), n_cases=2)
    answer_all(path, "AB", seed=0, stop=1)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM images WHERE case_id = 2")
    conn.execute("UPDATE images SET data = X'00112233' WHERE case_id = 1 AND method = 'noisy'")
    conn.commit()
    conn.close()
    with ReaderSession(path, "AB") as session:
        errors = []
        for position in range(session.total):
            try:
                session.trial(position)
            except StudyFileError as error:
                errors.append(str(error))
        assert any("image is missing" in e for e in errors)
        assert any("damaged" in e for e in errors)
        assert session.answered() == 1


def test_a_file_that_cannot_be_written_is_a_clear_error_and_keeps_earlier_answers(
    tmp_path: Path,
) -> None:
    path = make_study(tmp_path, methods=("gaussian", "noisy"), n_cases=2)
    with ReaderSession(path, "AB") as session:
        session.answer(0, seconds=1.0, ratings={"overall": 2, "noise": 2})
        session._conn.execute("PRAGMA query_only = ON")  # as if the file turned read-only
        with pytest.raises(StudyFileError, match="cannot write the study file"):
            session.answer(1, seconds=1.0, ratings={"overall": 3, "noise": 3})
        assert not session._conn.in_transaction
        with pytest.raises(StudyFileError, match="cannot write the study file"):
            session.undo()
    assert _count(path, "AB") == 1
    with ReaderSession(path, "AB") as session:
        assert session.position() == 1
