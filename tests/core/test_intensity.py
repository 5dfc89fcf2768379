"""Normalisation between modality units and [0, 1]."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from denoscope.core.errors import ParameterError
from denoscope.core.intensity import CT_RANGE_HU, Normalization, normalization_for


def test_ct_is_fixed_hu_range() -> None:
    norm = normalization_for(np.zeros((1, 4, 4)), "ct")
    assert norm.kind == "fixed"
    assert (norm.low, norm.high) == CT_RANGE_HU
    hu = np.array([-2000.0, -1024.0, 0.0, 3071.0, 5000.0])
    unit = norm.to_unit(hu)
    assert unit.dtype == np.float32
    np.testing.assert_allclose(unit, [0, 0, 1024 / 4095, 1, 1], rtol=1e-6)


def test_percentile_rule_for_mri() -> None:
    rng = np.random.default_rng(0)
    frames = rng.normal(100, 10, size=(2, 64, 64))
    frames[0, 0, 0] = 1e6  # one hot pixel does not set the scale
    norm = normalization_for(frames, "mri")
    assert norm.kind == "percentile"
    assert norm.percentiles == (0.5, 99.5)
    np.testing.assert_allclose(norm.low, np.percentile(frames, 0.5))
    np.testing.assert_allclose(norm.high, np.percentile(frames, 99.5))
    assert norm.high < 1000


def test_round_trip_inside_range_and_clip_outside() -> None:
    norm = Normalization(kind="fixed", low=-10.0, high=30.0)
    x = np.linspace(-10, 30, 41)
    np.testing.assert_allclose(norm.from_unit(norm.to_unit(x)), x, atol=1e-5)
    assert norm.to_unit(np.array([-100.0, 100.0])).tolist() == [0.0, 1.0]


def test_json_round_trip() -> None:
    norm = normalization_for(np.arange(100.0).reshape(1, 10, 10), "xray")
    again = Normalization.model_validate_json(norm.model_dump_json())
    assert again == norm
    assert "percentile" in norm.describe()


def test_constant_study_gets_a_valid_range() -> None:
    norm = normalization_for(np.full((1, 3, 3), 7.0), "xray")
    assert norm.high > norm.low


def test_invalid_inputs() -> None:
    with pytest.raises(ValidationError):
        Normalization(kind="fixed", low=1.0, high=1.0)
    with pytest.raises(ValidationError):
        Normalization(kind="fixed", low=0.0, high=1.0, extra=1)
    with pytest.raises(ParameterError):
        normalization_for(np.zeros((1, 2, 2)), "pet")
    with pytest.raises(ParameterError):
        normalization_for(np.array([np.nan]), "mri")
