"""The one review pipeline: the CLI, the viewer and every export prepare and review a study here.

Steps, each decided in one place:

1. :func:`open_study` / :func:`prepare_study` (:mod:`~denoscope.core.review.study`):
   the study's modality (the caller's choice, else the loader's) and its
   normalisation rule (fixed HU window for DICOM CT, else the study's robust
   percentiles; a model card never imposes its window on values not in its units).
2. :func:`model_path_for` / :func:`load_model_cached` (:mod:`~denoscope.core.review.models`):
   the user's model file or the modality's shipped one, loaded once.
3. :func:`review_slice` (:mod:`~denoscope.core.review.slice`): seeded synthetic
   noise (or real input), the model (with its noise-level map times
   ``strength`` when it takes one), the modality-mismatch note, a classical
   baseline with its σ (:func:`baseline_sigma`), and the metrics.
4. :func:`provenance` (:mod:`~denoscope.core.review.provenance`): the record
   every export writes, filtered by :mod:`denoscope.core.privacy`.
"""

from denoscope.core.review.models import load_model_cached, model_name, model_path_for
from denoscope.core.review.params import DEFAULT_STRENGTH, ReviewParams
from denoscope.core.review.provenance import (
    VOLATILE_KEYS,
    comparable,
    derived_description,
    json_number,
    provenance,
)
from denoscope.core.review.slice import (
    ROWS,
    SeriesMetrics,
    SliceReview,
    baseline_sigma,
    lpips_for,
    metric_rows,
    noise_level_map,
    review_slice,
    row_label,
    run_model,
    series_metrics,
    slice_rng,
    synthetic_noise,
    unit_slice,
)
from denoscope.core.review.study import (
    ReviewStudy,
    decide_modality,
    mismatch_note,
    normalization_for_model,
    open_study,
    pixel_size_mm,
    prepare_study,
    window_note,
)

__all__ = [
    "DEFAULT_STRENGTH",
    "ROWS",
    "VOLATILE_KEYS",
    "ReviewParams",
    "ReviewStudy",
    "SeriesMetrics",
    "SliceReview",
    "baseline_sigma",
    "comparable",
    "decide_modality",
    "derived_description",
    "json_number",
    "load_model_cached",
    "lpips_for",
    "metric_rows",
    "mismatch_note",
    "model_name",
    "model_path_for",
    "noise_level_map",
    "normalization_for_model",
    "open_study",
    "pixel_size_mm",
    "prepare_study",
    "provenance",
    "review_slice",
    "row_label",
    "run_model",
    "series_metrics",
    "slice_rng",
    "synthetic_noise",
    "unit_slice",
    "window_note",
]
