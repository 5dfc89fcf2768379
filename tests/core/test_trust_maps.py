"""Trust maps checked against ground truth: removed structure, edges, uncertainty, local σ."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage
from trust_standins import identity, line_adder, line_mask, phantom

from denoscope.core.errors import ParameterError
from denoscope.core.noise import add_noise
from denoscope.core.trust import (
    edge_maps,
    local_sigma,
    localisation_auc,
    redraw_uncertainty,
    removed_structure,
    tta_uncertainty,
)


def _z_of_pure_noise(noise: str, level: float, clean: np.ndarray, seed: int = 0) -> np.ndarray:
    """z map of an oracle denoiser (returns the truth): the residual is exactly the noise."""
    noisy = np.asarray(add_noise(clean, noise, level, rng=seed))
    sigma = local_sigma(noise, clean, noisy, level)
    return removed_structure(noisy, clean, sigma)


@pytest.mark.parametrize(("noise", "level"), [("gaussian", 0.05), ("poisson", 200.0)])
def test_removed_structure_is_standard_normal_on_pure_noise(noise, level):
    # a ramp from dark to bright: Poisson noise is 3x stronger at the bright end
    clean = np.tile(np.linspace(0.1, 0.9, 256, dtype=np.float32), (256, 1))
    z = _z_of_pure_noise(noise, level, clean)
    inner = z[16:-16, 16:-16]
    for half in (inner[:, :100], inner[:, -100:]):  # dark and bright ends alike
        assert abs(float(half.mean())) < 0.15
        assert 0.8 < float(half.std()) < 1.2


def test_correlated_low_dose_ct_noise_is_calibrated():
    from denoscope.core.trust.lesions import anatomy_mask
    from denoscope.core.trust.removed import correlation_factor

    clean = phantom(192) * 0.6  # soft tissue around 0 HU, air outside
    noisy = np.asarray(add_noise(clean, "lowdose-ct", 0.25, rng=0))
    sigma = local_sigma("lowdose-ct", clean, noisy, 0.25)
    body = anatomy_mask(clean)
    factor = correlation_factor(noisy - clean, sigma, mask=body)
    assert factor < 0.8  # filtered back-projection noise is high-pass: window means vary less
    inner = np.zeros_like(body)
    inner[40:-40, 40:-40] = True
    z = removed_structure(noisy, clean, sigma, correlation=factor)[body & inner]
    assert 0.85 < float(z.std()) < 1.15
    fresh = np.asarray(add_noise(clean, "lowdose-ct", 0.25, rng=1))  # another realisation
    z = removed_structure(fresh, clean, sigma, correlation=factor)[body & inner]
    assert 0.8 < float(z.std()) < 1.2


def test_constant_sigma_would_be_wrong_for_poisson():
    clean = np.tile(np.linspace(0.1, 0.9, 256, dtype=np.float32), (256, 1))
    noisy = np.asarray(add_noise(clean, "poisson", 200.0, rng=0))
    z = removed_structure(noisy, clean, float(np.std(noisy - clean)))
    assert z[16:-16, -100:-16].std() > 1.3 * z[16:-16, 16:100].std()


def test_identity_removes_nothing_and_a_deleted_disc_stands_out():
    clean = phantom()
    noisy = np.asarray(add_noise(clean, "gaussian", 0.05, rng=1))
    assert np.all(removed_structure(noisy, identity(noisy), 0.05) == 0)
    disc = np.hypot(*np.mgrid[-64:64, -64:64]) <= 5
    with_disc = np.clip(clean + 0.05 * disc, 0, 1)  # contrast 1 σ
    noisy = np.asarray(add_noise(with_disc, "gaussian", 0.05, rng=2))
    z = removed_structure(noisy, clean, 0.05)  # the stand-in returns the truth without the disc
    background = ~ndimage.binary_dilation(disc, iterations=6)
    assert localisation_auc(z, disc, background) >= 0.9
    assert z[disc].mean() > 3


def test_added_line_is_negative_removed_structure_and_invented_edges():
    clean = phantom()
    noisy = np.asarray(add_noise(clean, "gaussian", 0.05, rng=3))
    out = line_adder(0.1)(noisy)
    line = line_mask(clean.shape)
    z = removed_structure(noisy, out, 0.05)
    assert z[line].mean() < -3
    maps = edge_maps(out, clean, scale=1000.0, unit="HU")
    sides = ndimage.binary_dilation(line, iterations=2) & ~line  # where the line's edges are
    far = ~ndimage.binary_dilation(line, iterations=6)
    assert localisation_auc(maps.invented, sides, far) > 0.9
    assert maps.unit == "HU"
    np.testing.assert_allclose(maps.signed, (out - clean) * 1000.0, rtol=1e-5, atol=1e-3)


def test_blur_loses_edges_and_invents_none():
    clean = np.zeros((64, 64), np.float32)
    clean[:, 32:] = 1.0
    blurred = ndimage.gaussian_filter(clean, 3.0)
    maps = edge_maps(blurred, clean)
    assert maps.lost[:, 30:34].max() > 0.1
    assert maps.invented.max() < 0.5 * maps.lost.max()


def test_uncertainty_redraws_and_tta():
    clean = phantom(64)
    u = redraw_uncertainty(clean, identity, noise="gaussian", level=0.05, draws=12, rng=0)
    assert u.draws == 12 and u.kind == "redraw"
    assert 0.04 < float(np.median(u.std)) < 0.06  # identity passes the noise through
    assert np.all(tta_uncertainty(clean, identity).std < 1e-6)  # flips are undone exactly
    steps = []
    shifted = tta_uncertainty(
        clean, lambda a: np.roll(a, 1, axis=1), scale=100.0, progress=lambda d, n: steps.append(d)
    )
    assert steps == list(range(1, 9)) and shifted.unit == "[0, 1] units"
    assert shifted.std.max() > 10  # a view-dependent model shows up (in scaled units)
    with pytest.raises(ParameterError):
        redraw_uncertainty(clean, identity, noise="gaussian", level=0.05, draws=1)


def test_local_sigma_models_and_estimate():
    clean = np.full((64, 64), 0.5, np.float32)
    noisy = np.asarray(add_noise(clean, "gaussian", 0.05, rng=0))
    assert np.allclose(local_sigma("gaussian", clean, noisy, 0.05), 0.05)
    poisson = local_sigma("poisson", clean, noisy, 100.0)
    assert np.allclose(poisson, np.sqrt(0.5 / 100.0), rtol=1e-4)
    dark = np.zeros((64, 64), np.float32)
    dark[:32] = 0.5  # the floor: 10 % of the median, never 0
    assert local_sigma("poisson", dark, dark, 100.0).min() >= 0.1 * np.sqrt(0.5 / 100.0) * 0.99
    big = np.asarray(add_noise(np.full((256, 256), 0.5, np.float32), "gaussian", 0.05, rng=1))
    real = local_sigma(None, None, big, None)
    assert real.shape == big.shape and 0.045 < float(np.median(real)) < 0.055


def test_map_errors():
    with pytest.raises(ParameterError):
        removed_structure(np.zeros((4, 4)), np.zeros((4, 5)), 0.1)
    with pytest.raises(ParameterError):
        removed_structure(np.zeros((4, 4)), np.zeros((4, 4)), 0.0)
    with pytest.raises(ParameterError):
        localisation_auc(np.zeros((4, 4)), np.zeros((4, 4), bool), np.ones((4, 4), bool))


def test_auc_is_the_probability_that_a_lesion_pixel_scores_higher():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(20, 20)).round(1)  # ties included
    pos = rng.random((20, 20)) < 0.3
    a, b = np.abs(scores[pos])[:, None], np.abs(scores[~pos])[None, :]
    expected = float(np.mean((a > b) + 0.5 * (a == b)))  # every pair, ties count one half
    assert localisation_auc(scores, pos, ~pos) == pytest.approx(expected)
    assert localisation_auc(scores, pos, ~pos, absolute=False) != pytest.approx(expected)
