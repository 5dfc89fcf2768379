"""Trust: where a denoiser removed or invented structure, and tests that it erases nothing.

One small module per idea (no Qt):

- :mod:`~denoscope.core.trust.sigma` — the noise model's local σ (per pixel, floored);
- :mod:`~denoscope.core.trust.removed` — the removed-structure z-score map;
- :mod:`~denoscope.core.trust.edges` — invented and lost edges, signed difference;
- :mod:`~denoscope.core.trust.uncertainty` — spread over noise re-draws or 8-fold TTA;
- :mod:`~denoscope.core.trust.lesions` — disc insertion and per-lesion measurements;
- :mod:`~denoscope.core.trust.lesion_test` — the lesion-insertion hallucination test;
- :mod:`~denoscope.core.trust.pure_noise` — the pure-noise (flat field) test;
- :mod:`~denoscope.core.trust.localisation` — ROC AUC of a map at lesions;
- :mod:`~denoscope.core.trust.denoisers` — models (run as the product runs them) and
  baselines as callables;
- :mod:`~denoscope.core.trust.run` — one ``denoscope trust`` run (maps + both tests);
- :mod:`~denoscope.core.trust.report` — markdown and figure of a trust run.

Every image is float32 (rows, cols) in [0, 1] unless a function says it takes
modality units.
"""

from denoscope.core.trust.denoisers import (
    Denoiser,
    ModelDenoiser,
    apply_denoiser,
    baseline_denoiser,
    model_denoiser,
)
from denoscope.core.trust.edges import EDGE_SCALE_PX, edge_maps, edge_strength, signed_difference
from denoscope.core.trust.lesion_test import LesionTestResult, MethodLesionStats, lesion_test
from denoscope.core.trust.lesions import Lesion, insert_lesions, lesion_mask, place_lesions
from denoscope.core.trust.localisation import localisation_auc
from denoscope.core.trust.pure_noise import PureNoiseResult, pure_noise_test
from denoscope.core.trust.removed import REMOVED_WINDOW_PX, removed_structure
from denoscope.core.trust.sigma import local_sigma
from denoscope.core.trust.uncertainty import UncertaintyResult, redraw_uncertainty, tta_uncertainty

__all__ = [
    "EDGE_SCALE_PX",
    "REMOVED_WINDOW_PX",
    "Denoiser",
    "Lesion",
    "ModelDenoiser",
    "LesionTestResult",
    "MethodLesionStats",
    "PureNoiseResult",
    "UncertaintyResult",
    "apply_denoiser",
    "baseline_denoiser",
    "edge_maps",
    "edge_strength",
    "insert_lesions",
    "lesion_mask",
    "lesion_test",
    "local_sigma",
    "localisation_auc",
    "model_denoiser",
    "place_lesions",
    "pure_noise_test",
    "redraw_uncertainty",
    "removed_structure",
    "signed_difference",
    "tta_uncertainty",
]
