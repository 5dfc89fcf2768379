"""A study prepared for review: its modality decision and its normalisation rule.

The normalisation rule (the only place it is decided; the CLI and the viewer
both come here):

1. A study whose pixel values are Hounsfield units (DICOM CT) is mapped by a
   fixed HU window: the model card's fixed window when the model is a CT model
   whose card states one (it was trained on that window), else the default
   ``[-1024, 3071]`` HU of :mod:`denoscope.core.intensity`.
2. Every other study (MRI, X-ray, plain PNG/TIFF, a study of unknown modality,
   a CT study stored without HU) is mapped by its own robust percentiles
   (0.5 / 99.5 over all frames), whatever model runs. A card's fixed window is
   never applied to values that are not in its units: that is what saturated
   43 % of a PNG brain slice when a CT card's HU window was applied to it.

The model's modality never overrides the study's: when they differ, the
review says so (:func:`mismatch_note`) and still uses the study's rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from denoscope.core.intensity import Normalization, normalization_for
from denoscope.core.modality import STUDY_MODALITIES, Modality, pixel_unit

if TYPE_CHECKING:
    from denoscope.core.io import SeriesInfo, Study
    from denoscope.core.model_card import ModelCard


@dataclass(frozen=True, eq=False)
class ReviewStudy:
    """A loaded study with its modality decision and study normalisation.

    Attributes
    ----------
    study : denoscope.core.io.Study
        Frames in modality units and metadata.
    modality : Modality
        The study's modality: the caller's choice when given, else the loader's.
    normalization : Normalization
        The study's own rule (HU window for DICOM CT, else percentiles); the
        model may refine a CT window, see :func:`normalization_for_model`.
    path : Path
        What was opened.
    series : list of SeriesInfo
        Every series found at ``path`` (empty for a single file).
    """

    study: Study
    modality: Modality
    normalization: Normalization
    path: Path
    series: list[SeriesInfo] = field(default_factory=list)

    @property
    def unit(self) -> str:
        """Pixel unit of the study (``"HU"`` or ``"a.u."``, :func:`pixel_unit`)."""
        return pixel_unit(self.modality, is_dicom=self.study.is_dicom)

    @property
    def in_hounsfield(self) -> bool:
        """Whether the frames are Hounsfield units (DICOM CT)."""
        return self.unit == "HU"

    @property
    def pixel_size_mm(self) -> float | None:
        """In-plane pixel size in mm (mean of row and column), None when unknown."""
        return pixel_size_mm(self.study)

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.study.frames.shape[0])


def pixel_size_mm(study: Study) -> float | None:
    """The study's in-plane pixel size in mm (mean of row and column), None when unknown."""
    import math

    spacing = study.pixel_spacing
    if spacing is None or not all(math.isfinite(v) and v > 0 for v in spacing):
        return None
    return float(sum(spacing) / len(spacing))


def decide_modality(study: Study, requested: str | None = None) -> Modality:
    """The modality a study is reviewed as.

    Parameters
    ----------
    study : Study
        The loaded study (its ``modality`` comes from the DICOM Modality tag,
        ``"unknown"`` for plain images).
    requested : str, optional
        The caller's choice (``denoise --modality``); None or ``"auto"`` keeps
        the loader's.

    Returns
    -------
    Modality
        One of :data:`~denoscope.core.modality.STUDY_MODALITIES`.
    """
    if requested is None or str(requested).strip().lower() == "auto":
        return Modality.parse(study.modality, allow=STUDY_MODALITIES)
    return Modality.parse(requested, allow=STUDY_MODALITIES)


def prepare_study(
    study: Study,
    *,
    modality: str | None = None,
    path: str | Path | None = None,
    series: list[SeriesInfo] | None = None,
) -> ReviewStudy:
    """Decide a study's modality and normalisation (the module's rule).

    Parameters
    ----------
    study : Study
        The loaded study.
    modality : str, optional
        The caller's modality (``"auto"``/None: the loader's).
    path : str or Path, optional
        What was opened (default ``study.source``).
    series : list of SeriesInfo, optional
        The series found beside it.

    Returns
    -------
    ReviewStudy
    """
    from denoscope.core.io.colour import with_colour_note

    study = with_colour_note(study)  # a colour image says it was reduced to grey
    decided = decide_modality(study, modality)
    hounsfield = pixel_unit(decided, is_dicom=study.is_dicom) == "HU"
    rule = Modality.CT if hounsfield else decided
    if rule == Modality.CT and not hounsfield:
        rule = Modality.UNKNOWN
    normalization = normalization_for(study.frames, str(rule))
    return ReviewStudy(
        study=study,
        modality=decided,
        normalization=normalization,
        path=Path(path) if path is not None else Path(study.source),
        series=list(series or []),
    )


def open_study(
    path: str | Path,
    *,
    series_uid: str | None = None,
    modality: str | None = None,
    largest_series: bool = False,
) -> ReviewStudy:
    """Load a file or folder and prepare it for review.

    Parameters
    ----------
    path : str or Path
        DICOM file or folder, PNG or TIFF.
    series_uid : str, optional
        Which series of a multi-series folder.
    modality : str, optional
        Override the loader's modality (``"auto"``/None keeps it).
    largest_series : bool, optional
        With several series and no ``series_uid``, open the one with the most
        frames (the viewer, which offers the others) instead of raising
        :class:`~denoscope.core.errors.MultipleSeriesError` (the CLI).

    Returns
    -------
    ReviewStudy
    """
    from denoscope.core.io import list_series, list_stacks, load_study

    path = Path(path)
    # Stacks of single-frame series are offered beside the series (as the largest,
    # a stack opens first in the viewer; see denoscope.core.io.stacking).
    series = list(list_series(path)) + list(list_stacks(path)) if path.is_dir() else []
    if series_uid is None and largest_series and len(series) > 1:
        series_uid = max(series, key=lambda info: info.n_frames).series_uid
    study = load_study(path, series_uid=series_uid)
    return prepare_study(study, modality=modality, path=path, series=series)


def open_files(paths: list[str | Path], *, modality: str | None = None) -> ReviewStudy:
    """Open exactly these files for review (:func:`denoscope.core.io.load_files`).

    One stack when they stack, otherwise the first file, with a note in
    ``study.notes`` naming the files left out.
    """
    from denoscope.core.io import load_files

    files = [Path(p) for p in paths]
    study = load_files(files)
    return prepare_study(study, modality=modality, path=study.source, series=[])


def normalization_for_model(review: ReviewStudy, card: ModelCard | None) -> Normalization:
    """The normalisation used with a model: the study's, or a CT card's own HU window.

    Parameters
    ----------
    review : ReviewStudy
        The prepared study.
    card : ModelCard or None
        The model's card (None: no model).

    Returns
    -------
    Normalization
        The card's fixed window only for a study in Hounsfield units and a CT
        card stating a fixed window; otherwise ``review.normalization``.
    """
    if card is None or not review.in_hounsfield or card.modality != Modality.CT:
        return review.normalization
    spec = card.normalization
    if spec is None or spec.kind != "fixed":
        return review.normalization
    return spec.to_normalization()


def mismatch_note(review: ReviewStudy, card: ModelCard | Any, model_name: str) -> str | None:
    """A sentence when the model was trained for another modality than the study's.

    Returns
    -------
    str or None
        None when they agree or the model is not modality-specific.
    """
    trained = Modality.parse(getattr(card, "modality", None) or "any")
    if trained in (Modality.ANY, Modality.UNKNOWN) or trained == review.modality:
        return None
    if review.modality == Modality.UNKNOWN:
        return (
            f"The model {model_name!r} was trained for {trained.label} images; this study's "
            "modality is unknown, so it is normalised by its own percentiles."
        )
    return (
        f"The model {model_name!r} was trained for {trained.label} images; "
        f"this study is {review.modality.label}."
    )


def window_note(
    review: ReviewStudy, card: ModelCard | Any, normalization: Normalization, model_name: str
) -> str | None:
    """A sentence when a model trained on a fixed window sees a study normalised otherwise.

    For example ``denoise --modality ct`` on a PNG: the CT model was trained on
    Hounsfield units, the PNG's values are not, so the rule maps it by its own
    percentiles and the reader is told. None when the card's window is used or
    the card states none.
    """
    spec = getattr(card, "normalization", None)
    if spec is None or getattr(spec, "kind", None) != "fixed" or normalization.kind == "fixed":
        return None
    unit = "HU" if str(getattr(card, "modality", "")) == Modality.CT else "units"
    return (
        f"The model {model_name!r} was trained on a fixed window "
        f"[{spec.low:g}, {spec.high:g}] {unit}; this study's values are not in those units, "
        "so it is normalised by its own percentiles."
    )
