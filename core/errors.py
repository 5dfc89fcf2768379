"""Typed exceptions: every message says what was wrong, what was expected, and how to fix it.

The CLI prints ``str(error)`` as one line and exits non-zero; the viewer shows it
in a message box. No caller should ever need a traceback to understand one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


class DenoscopeError(Exception):
    """Base of every error Denoscope raises on purpose.

    Parameters
    ----------
    problem : str
        What went wrong, in plain words.
    path : str or Path, optional
        The file or folder concerned.
    got : str, optional
        What was found.
    expected : str, optional
        What would have been acceptable.
    fix : str, optional
        What the user can do about it.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        got: str | None = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = None if path is None else Path(path)
        self.got = got
        self.expected = expected
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message: ``path: problem (got ...; expected ...). fix``."""
        text = f"{self.path}: {self.problem}" if self.path is not None else self.problem
        details = []
        if self.got is not None:
            details.append(f"got {self.got}")
        if self.expected is not None:
            details.append(f"expected {self.expected}")
        if details:
            text += f" ({'; '.join(details)})"
        if self.fix:
            text += f". {self.fix}"
        return text

    def __str__(self) -> str:
        return self.message


class StudyLoadError(DenoscopeError):
    """A study (DICOM or PNG file or folder) could not be read into frames."""


class UnsupportedStudyError(StudyLoadError):
    """The file is readable but holds something Denoscope does not handle."""


class MultipleSeriesError(UnsupportedStudyError):
    """A folder holds several series and none was chosen.

    Parameters
    ----------
    path : str or Path
        The folder.
    series : sequence of SeriesInfo
        The series found (:class:`denoscope.core.io.SeriesInfo`); pass one's
        ``series_uid`` to ``load_study``.

    Attributes
    ----------
    series : tuple of SeriesInfo
        The series found.
    """

    def __init__(self, path: str | Path, series: Sequence[Any]) -> None:
        self.series = tuple(series)
        super().__init__(
            f"this folder holds {len(self.series)} series; choose one",
            path=path,
            got="; ".join(
                f"{info.series_uid} ({info.dicom_modality or '?'}, {info.n_frames} frame(s), "
                f"{info.description!r})"
                for info in self.series
            ),
            fix="Pass series_uid= (see list_series) or pick a series in the viewer",
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.series))


class MissingDecoderError(StudyLoadError):
    """Compressed pixel data whose decoder package is not installed."""


class StudyTooLargeError(StudyLoadError):
    """The declared image size exceeds the memory limit."""


class ModelFileError(DenoscopeError):
    """A model file (safetensors + JSON card) is missing, corrupt or mismatched."""


class ParameterError(DenoscopeError, ValueError):
    """An argument is out of its documented range or of the wrong shape."""


class DeviceError(DenoscopeError):
    """A requested compute device is not available."""


class MetricUnavailableError(DenoscopeError):
    """A metric cannot be computed here (for example LPIPS without its weights)."""


class OutputExistsError(DenoscopeError):
    """Writing would overwrite an existing file (or an input) without permission."""


class OutputWriteError(DenoscopeError):
    """A file could not be written (read-only folder, full disk); the target is untouched."""


class Cancelled(Exception):  # noqa: N818 - the name the worker protocol documents
    """Long work stopped because ``should_stop()`` returned True (a newer request won).

    Not a :class:`DenoscopeError`: nothing went wrong, and nothing is shown to
    the user. Raised by :func:`denoscope.core.inference.denoise`, the review
    pipeline (:mod:`denoscope.core.review`) and the viewer's jobs; the viewer's
    workers (``denoscope.app.workers``) treat it as a cancellation.
    """
