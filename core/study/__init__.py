"""Blinded reader studies: create, read (through :class:`ReaderSession`), analyse, report.

A study is one SQLite file (:mod:`denoscope.core.study.schema`) holding every
method's output for every case, computed once (:mod:`~denoscope.core.study.create`),
each reader's seeded order (:mod:`~denoscope.core.study.order`) and every
answer. :mod:`~denoscope.core.study.analysis` computes the statistics and
:mod:`~denoscope.core.study.report` writes the HTML report and the CSV. The
reading window is in :mod:`denoscope.app.study`; this package has no Qt.
"""

from denoscope.core.study.create import StudySpec, create_study
from denoscope.core.study.schema import SCHEMA_VERSION, SUFFIX, StudyFileError
from denoscope.core.study.session import ReaderSession, Trial

__all__ = [
    "SCHEMA_VERSION",
    "SUFFIX",
    "ReaderSession",
    "StudyFileError",
    "StudySpec",
    "Trial",
    "create_study",
]
