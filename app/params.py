"""What the viewer computes for a slice, as plain data (no Qt): :class:`Params`.

:class:`Params` is the core review pipeline's
:class:`~denoscope.core.review.ReviewParams` (modality, model, noise, level,
seed, device, baseline, real input, strength): the viewer and the CLI
describe a review with the same fields.
"""

from __future__ import annotations

from denoscope.core.review.params import DEFAULT_STRENGTH, ReviewParams

__all__ = ["DEFAULT_STRENGTH", "DIFF_MODES", "Params"]

#: Difference-pane modes: key -> label.
DIFF_MODES: dict[str, str] = {
    "denoised-truth": "|denoised − truth|",
    "noisy-truth": "|noisy − truth|",
    "residual": "residual noisy − denoised",
}

#: The parameters of one review (:class:`denoscope.core.review.ReviewParams`).
Params = ReviewParams
