"""The ``.denostudy`` file: one SQLite database (standard library ``sqlite3``, WAL mode).

Layout (schema version :data:`SCHEMA_VERSION`, kept in ``PRAGMA user_version``;
``PRAGMA application_id`` is :data:`APPLICATION_ID`, so another SQLite file is
recognised as "not a study"):

``meta(key, value)``
    JSON values: ``design``, ``criteria``, ``methods``, ``settings`` (everything
    needed to reproduce the images: noise, seed, model file name, its sha256 and
    card, baseline σ rule, normalisation rule, Denoscope version), ``created_at``.
``cases(id, position, label, modality, unit, rows, cols, window_center, window_width,
pixel_spacing, normalization, source_sha256, frame_index, noise_seed, baseline_sigma)``
    One row per case. ``source_sha256`` (of the case's file, or of its folder's
    files and their relative names) identifies the source in the cases folder
    for reproduction without naming it: the study file holds no file name and
    no DICOM header, so it can be handed to readers as it is.
``images(case_id, method, dtype, shape, sha256, data)``
    Every method's output (and ``reference``, the clean image) as the exact
    float32 [0, 1] array, zlib-compressed (lossless), checked by sha256 on read.
``metrics(case_id, method, name, value)``
    PSNR, SSIM, GMSD, LPIPS of each output against the reference; never shown
    to readers.
``trials(id, case_id, method_a, method_b)``
    One Likert trial per (case, method), or one pairwise trial per (case,
    unordered method pair).
``readers(id, name, seed, created_at)`` and ``reader_trials(reader_id, position,
trial_id, swap)``
    Each reader's seeded order, recorded when the reader first opens the study;
    ``swap`` = 1 shows ``method_b`` on the left.
``answers(id, reader_id, trial_id, position, choice, side, confidence, seconds,
answered_at, retracted)`` and ``ratings(answer_id, criterion, score)``
    One answer per reader and trial (a partial unique index over answers that
    are not retracted); undo marks an answer retracted instead of deleting it.

Every write is one short ``BEGIN IMMEDIATE`` transaction, so several readers can
use one file at the same time (WAL: readers never block the writer; writers wait
up to :data:`BUSY_TIMEOUT_S`), and a killed process loses nothing committed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.errors import DenoscopeError

#: Schema version written into ``PRAGMA user_version``.
SCHEMA_VERSION = 1

#: ``PRAGMA application_id`` of a study file ("DNSS").
APPLICATION_ID = 0x444E5353

#: File suffix of a study.
SUFFIX = ".denostudy"

#: Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 30.0

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    label TEXT NOT NULL,
    modality TEXT NOT NULL,
    unit TEXT NOT NULL,
    rows INTEGER NOT NULL,
    cols INTEGER NOT NULL,
    window_center REAL NOT NULL,
    window_width REAL NOT NULL,
    pixel_spacing TEXT,
    normalization TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    frame_index INTEGER NOT NULL,
    noise_seed TEXT NOT NULL,
    baseline_sigma REAL NOT NULL
);
CREATE TABLE images (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    method TEXT NOT NULL,
    dtype TEXT NOT NULL,
    shape TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (case_id, method)
);
CREATE TABLE metrics (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    method TEXT NOT NULL,
    name TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (case_id, method, name)
);
CREATE TABLE trials (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    method_a TEXT NOT NULL,
    method_b TEXT
);
CREATE TABLE readers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    seed TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE reader_trials (
    reader_id INTEGER NOT NULL REFERENCES readers(id),
    position INTEGER NOT NULL,
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    swap INTEGER NOT NULL,
    PRIMARY KEY (reader_id, position)
);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    reader_id INTEGER NOT NULL REFERENCES readers(id),
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    position INTEGER NOT NULL,
    choice TEXT,
    side TEXT,
    confidence INTEGER,
    seconds REAL NOT NULL,
    answered_at TEXT NOT NULL,
    retracted INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX one_answer ON answers (reader_id, trial_id) WHERE retracted = 0;
CREATE TABLE ratings (
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    criterion TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    PRIMARY KEY (answer_id, criterion)
);
"""


class StudyFileError(DenoscopeError):
    """A study file is missing, damaged, of a newer schema, or not a study at all."""


def _pragma(conn: sqlite3.Connection, name: str) -> int:
    return int(conn.execute(f"PRAGMA {name}").fetchone()[0])


@contextmanager
def translated_errors(path: str | Path, doing: str) -> Iterator[None]:
    """Turn :mod:`sqlite3` errors raised inside the block into :class:`StudyFileError`.

    Parameters
    ----------
    path : str or Path
        The study file, for the message.
    doing : str
        What was being done, e.g. ``"reading the answers"``.
    """
    try:
        yield
    except sqlite3.DatabaseError as error:
        text = str(error)
        if "locked" in text or "busy" in text:
            raise StudyFileError(
                f"the study file stayed busy while {doing}",
                path=path,
                got=text,
                fix="Another program holds it; close it and try again",
            ) from error
        if any(w in text for w in ("full", "readonly", "read-only", "unable to open", "I/O")):
            raise StudyFileError(
                f"cannot write the study file while {doing}",
                path=path,
                got=text,
                fix="Check free disk space and write permission; nothing saved before was lost",
            ) from error
        raise StudyFileError(
            f"the study file is damaged ({doing} failed)",
            path=path,
            got=text,
            fix="Use a backup copy; this file was not changed",
        ) from error


def connect(
    path: str | Path, *, create: bool = False, readonly: bool = False
) -> sqlite3.Connection:
    """Open (or create) a study database with the project's settings.

    Parameters
    ----------
    path : str or Path
        The ``.denostudy`` file.
    create : bool, optional
        Create a new, empty study (the file must not exist) with the schema.
    readonly : bool, optional
        Open read-only (reports).

    Returns
    -------
    sqlite3.Connection
        In autocommit mode (``isolation_level=None``; writers use explicit
        ``BEGIN IMMEDIATE``), WAL journal, ``synchronous=FULL``, foreign keys on.

    Raises
    ------
    StudyFileError
        The file is missing, not a SQLite database, not a study, damaged, or
        of a newer schema than this Denoscope reads. Nothing is written to a
        file that fails these checks.
    """
    path = Path(path).expanduser()
    if create:
        if path.exists():
            raise StudyFileError("the study file already exists", path=path)
        with translated_errors(path, "creating the study"):
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(_TABLES)
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        return conn
    if not path.is_file():
        raise StudyFileError(
            "no such study file", path=path, fix="Create one with `denoscope study create`"
        )
    # Read-only use still opens read-write when it can (with query_only on), so that closing
    # folds the WAL back into the file and removes it; "ro" only where writing is impossible.
    modes = ("rw", "ro") if readonly else ("rw",)
    for mode in modes:
        try:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode={mode}",
                uri=True,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_S,
            )
            break
        except sqlite3.Error as error:
            if mode == modes[-1]:
                raise StudyFileError(
                    "cannot open the study file", path=path, got=str(error)
                ) from error
    try:
        check_file(conn, path)
        if readonly:
            conn.execute("PRAGMA query_only=ON")
        else:
            conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except BaseException:
        conn.close()
        raise
    return conn


def check_file(conn: sqlite3.Connection, path: Path) -> None:
    """Check that an open database is a study of a schema this version reads.

    Raises
    ------
    StudyFileError
        Not SQLite, not a study, newer schema, or missing tables.
    """
    try:
        app_id = _pragma(conn, "application_id")
        version = _pragma(conn, "user_version")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise StudyFileError(
            "not a study file, or a damaged one",
            path=path,
            got=str(error),
            expected="a .denostudy made by `denoscope study create`",
            fix="Use a backup copy; this file was not changed",
        ) from error
    if app_id != APPLICATION_ID:
        raise StudyFileError(
            "not a Denoscope study file",
            path=path,
            got=f"application id {app_id:#x}",
            expected=f"{APPLICATION_ID:#x}",
            fix="Open a .denostudy made by `denoscope study create`",
        )
    if version > SCHEMA_VERSION:
        raise StudyFileError(
            "the study was made by a newer Denoscope",
            path=path,
            got=f"schema version {version}",
            expected=f"at most {SCHEMA_VERSION}",
            fix="Update Denoscope to read it; this file was not changed",
        )
    needed = {"meta", "cases", "images", "trials", "readers", "reader_trials", "answers"}
    if version < 1 or not needed <= tables:
        raise StudyFileError(
            "the study file is incomplete (tables missing)",
            path=path,
            got=f"schema version {version}, tables {sorted(tables)}",
            fix="Use a backup copy, or create the study again",
        )


def read_meta(conn: sqlite3.Connection, path: str | Path) -> dict[str, Any]:
    """Return the ``meta`` table as a dict of decoded JSON values."""
    with translated_errors(path, "reading the study settings"):
        rows = conn.execute("SELECT key, value FROM meta").fetchall()
    try:
        meta = {key: json.loads(value) for key, value in rows}
    except json.JSONDecodeError as error:
        raise StudyFileError("the study settings are damaged", path=path, got=str(error)) from error
    for key in ("design", "criteria", "methods", "settings"):
        if key not in meta:
            raise StudyFileError(
                "the study settings are incomplete", path=path, got=f"no {key!r} entry"
            )
    return meta


def encode_array(array: np.ndarray) -> tuple[str, str, str, bytes]:
    """Encode an array losslessly: ``(dtype, shape JSON, sha256 of the raw bytes, zlib data)``."""
    contiguous = np.ascontiguousarray(array)
    raw = contiguous.tobytes()
    return (
        contiguous.dtype.str,
        json.dumps(list(contiguous.shape)),
        hashlib.sha256(raw).hexdigest(),
        zlib.compress(raw, 6),
    )


def decode_array(
    dtype: str, shape: str, sha256: str, data: bytes, *, path: str | Path
) -> np.ndarray:
    """Decode :func:`encode_array`'s output, checking the checksum.

    Raises
    ------
    StudyFileError
        The data do not decompress, or their checksum or size is wrong.
    """
    try:
        raw = zlib.decompress(data)
        dims = tuple(int(v) for v in json.loads(shape))
        array = np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(dims)
    except (zlib.error, ValueError, TypeError) as error:
        raise StudyFileError(
            "an image in the study is damaged", path=path, got=str(error)
        ) from error
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise StudyFileError(
            "an image in the study is damaged (checksum mismatch)",
            path=path,
            fix="Use a backup copy, or create the study again",
        )
    return array.copy()
