"""Evaluation of a model against noisy input and classical baselines on a folder or corpus split.

:func:`~denoscope.core.evaluation.run.evaluate` produces per-image rows and
means; :mod:`~denoscope.core.evaluation.report` writes the markdown table,
CSV, JSON and the per-image metric plot.
"""

from denoscope.core.evaluation.images import TestImage, gather_images
from denoscope.core.evaluation.run import (
    DEFAULT_BASELINES,
    REPORT1_TABLE,
    EvaluationResult,
    evaluate,
    parse_setting,
)

__all__ = [
    "DEFAULT_BASELINES",
    "REPORT1_TABLE",
    "EvaluationResult",
    "TestImage",
    "evaluate",
    "gather_images",
    "parse_setting",
]
