"""Hallucination tests checked with stand-in models whose behaviour is known."""

from __future__ import annotations

import json

import numpy as np
import pytest
from trust_standins import deleter, identity, line_adder, phantom

from denoscope.core.errors import ParameterError
from denoscope.core.trust import insert_lesions, lesion_mask, lesion_test, place_lesions
from denoscope.core.trust.lesion_test import npw_dprime, pooled_summary
from denoscope.core.trust.lesions import anatomy_mask, disc_ring_contrast
from denoscope.core.trust.pure_noise import pure_noise_test


def test_lesions_are_placed_inside_the_anatomy_without_overlap():
    clean = phantom()
    lesions = place_lesions(clean, 0.02, n=10, rng=0)
    assert len(lesions) == 10
    body = anatomy_mask(clean)
    for lesion in lesions:
        assert 2 <= lesion.radius <= 8 and 0.5 <= abs(lesion.cnr) <= 3.0
        assert body[lesion_mask(clean.shape, [lesion], region="outer")].all()
    total = sum(lesion_mask(clean.shape, [x], region="outer").sum() for x in lesions)
    assert lesion_mask(clean.shape, lesions, region="outer").sum() == total  # disjoint
    assert place_lesions(clean, 0.02, n=10, rng=0) == lesions  # seeded
    image = insert_lesions(clean, lesions)
    for lesion in lesions:
        measured = disc_ring_contrast(image, lesion) - disc_ring_contrast(clean, lesion)
        assert measured == pytest.approx(lesion.contrast, rel=1e-4)


def test_identity_keeps_every_lesion_and_the_deleter_loses_all_with_auc_above_0_9():
    clean = phantom()
    result = lesion_test(
        clean,
        {"identity": identity, "deleter": deleter(clean)},
        noise="gaussian",
        level=0.03,
        n_lesions=10,
        seed=4,
    )
    kept, deleted = result.methods["identity"], result.methods["deleter"]
    assert np.allclose(kept.retained, 1.0, atol=1e-4)  # same noise in both arms: exact
    assert kept.fraction_lost == 0.0 and kept.auc is None
    assert np.allclose(deleted.retained, 0.0, atol=1e-4) and deleted.fraction_lost == 1.0
    assert deleted.auc is not None and deleted.auc >= 0.9  # the map points at what was erased
    assert kept.dprime > 3 and deleted.dprime == 0.0
    record = json.loads(json.dumps(result.as_json()))
    assert record["methods"]["deleter"]["fraction_lost"] == 1.0
    assert len(record["lesions"]) == len(result.lesions) >= 6  # as many as fit in 128 px


def test_signal_dependent_noise_and_pooling():
    clean = phantom()
    runs = [
        lesion_test(clean, {"deleter": deleter(clean)}, noise="poisson", level=300.0, seed=s)
        for s in (0, 1)
    ]
    pooled = pooled_summary(runs)
    assert pooled["deleter"]["lesions"] == sum(len(r.lesions) for r in runs)
    assert pooled["deleter"]["fraction_lost"] == 1.0
    assert pooled["deleter"]["auc"] >= 0.9
    assert pooled["noisy"]["fraction_lost"] < 0.2


def test_pure_noise_flags_the_line_adder_only():
    result = pure_noise_test(
        {"identity": identity, "smoother": line_adder(0.0), "line": line_adder(0.1)},
        noise="gaussian",
        level=0.05,
        size=96,
    )
    assert not result.creates_structure("noisy")
    assert not result.creates_structure("identity")
    assert not result.creates_structure("smoother")
    assert result.creates_structure("line")
    entry = result.values["line"]["0.5"]
    assert entry["structure_z"] > 5
    assert result.values["smoother"]["0.5"]["edge_ratio"] < 1.0
    assert json.loads(json.dumps(result.as_json()))["methods"]["line"]["creates_structure"]


def test_errors_and_dprime():
    with pytest.raises(ParameterError):
        lesion_test(np.zeros((3, 3, 3)), {}, noise="gaussian", level=0.1)
    with pytest.raises(ParameterError):
        lesion_test(np.full((12, 12), 0.5, np.float32), {}, noise="gaussian", level=0.1)
    with pytest.raises(ParameterError):
        place_lesions(phantom(), 0.02, radius_range=(5, 2))
    assert npw_dprime([1.0], [0.0]) is None
    assert npw_dprime([1.0, 1.2], [0.0, 0.2]) == pytest.approx(1.0 / np.sqrt(0.02))
