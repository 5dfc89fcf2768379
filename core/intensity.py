"""Per-modality normalisation between modality units and the [0, 1] model range.

The rule (one per modality, reported with every metric):

- **CT**: a fixed Hounsfield window, ``[-1024, 3071]`` HU (the 12-bit CT range:
  air to dense bone and contrast). Fixed, so one CT model sees the same scale on
  every study and a metric means the same thing across studies; only metal
  above 3071 HU is clipped.
- **MRI, X-ray and unknown** (no absolute unit): robust percentiles 0.5 and
  99.5 of the whole study (all frames), so a few hot pixels do not set the
  scale. If those coincide, the study's min and max are used; a constant study
  gets a unit-wide range.

``to_unit`` clips to [0, 1]; ``from_unit`` maps back linearly, so a round trip
is exact for values inside ``[low, high]``. Display window/level is separate
and never changes this mapping.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from denoscope.core.errors import ParameterError

#: Fixed CT range in Hounsfield units.
CT_RANGE_HU: tuple[float, float] = (-1024.0, 3071.0)

#: Percentiles used for modalities without an absolute unit.
ROBUST_PERCENTILES: tuple[float, float] = (0.5, 99.5)

_SAMPLE = 2_000_000


class Normalization(BaseModel):
    """A linear map ``[low, high]`` (modality units) -> ``[0, 1]``; JSON-serialisable.

    Attributes
    ----------
    kind : {"fixed", "percentile"}
        Fixed range (CT) or study percentiles.
    low, high : float
        Modality values mapped to 0 and 1 (``high > low``).
    percentiles : tuple of float or None
        The (low, high) percentiles used, for ``kind="percentile"``.
    modality : str or None
        The modality family the rule was chosen for.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["fixed", "percentile"]
    low: float
    high: float
    percentiles: tuple[float, float] | None = None
    modality: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Normalization:
        if not (np.isfinite(self.low) and np.isfinite(self.high) and self.high > self.low):
            raise ValueError(f"need finite low < high, got low={self.low}, high={self.high}")
        if self.kind == "percentile" and self.percentiles is None:
            raise ValueError("kind='percentile' needs the percentiles used")
        return self

    @property
    def span(self) -> float:
        """``high - low`` in modality units."""
        return self.high - self.low

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        """Map modality units to float32 in [0, 1], clipping outside ``[low, high]``."""
        y = (np.asarray(x, dtype=np.float64) - self.low) / self.span
        return np.clip(y, 0.0, 1.0).astype(np.float32)

    def from_unit(self, y: np.ndarray) -> np.ndarray:
        """Map [0, 1] values back to modality units (float32)."""
        return (self.low + np.asarray(y, dtype=np.float64) * self.span).astype(np.float32)

    def describe(self) -> str:
        """One line for reports, e.g. ``"fixed [-1024, 3071] -> [0, 1]"``."""
        text = f"{self.kind} [{self.low:g}, {self.high:g}] -> [0, 1]"
        if self.percentiles is not None:
            text += f" (percentiles {self.percentiles[0]:g}/{self.percentiles[1]:g})"
        return text


def normalization_for(frames: np.ndarray, modality: str) -> Normalization:
    """Choose the normalisation of a study by the module's rule.

    Parameters
    ----------
    frames : ndarray, shape (n_frames, rows, cols) or (rows, cols)
        The study in modality units (finite).
    modality : {"ct", "mri", "xray", "unknown"}
        The model family.

    Returns
    -------
    Normalization
        Fixed HU range for CT; study percentiles otherwise.
    """
    if modality not in ("ct", "mri", "xray", "unknown"):
        raise ParameterError(
            "unknown modality", got=repr(modality), expected="'ct', 'mri', 'xray' or 'unknown'"
        )
    if modality == "ct":
        return Normalization(kind="fixed", low=CT_RANGE_HU[0], high=CT_RANGE_HU[1], modality="ct")
    flat = np.asarray(frames).reshape(-1)
    if flat.size == 0 or not np.isfinite(flat).all():
        raise ParameterError(
            "cannot normalise an empty or non-finite study",
            got=f"{flat.size} values",
            expected="finite values",
        )
    sample = flat[:: max(1, flat.size // _SAMPLE)].astype(np.float64)
    low, high = (float(v) for v in np.percentile(sample, ROBUST_PERCENTILES))
    if high <= low:
        low, high = float(flat.min()), float(flat.max())
    if high <= low:
        # A constant study has no span: centre it, so it maps to 0.5 (a mid-grey a
        # network treats as an ordinary flat region) and back to itself exactly.
        low, high = low - 0.5, low + 0.5
    return Normalization(
        kind="percentile", low=low, high=high, percentiles=ROBUST_PERCENTILES, modality=modality
    )
