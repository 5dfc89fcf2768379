"""v2 res-cae: resize-conv decoder without a grid, noise-level maps, strength, warm start."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from denoscope.core.inference import denoise, slice_sigma_map
from denoscope.core.metrics.grid import grid_index
from denoscope.core.models import build_model
from denoscope.core.models.weight_transfer import transfer_weights

V2 = {"arch": "res-cae", "widths": [8, 12], "noise_level_input": True, "upsampling": "resize"}
V1 = {"arch": "res-cae", "widths": [8, 12]}


def _randomised(config: dict, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    net = build_model(config)
    with torch.no_grad():
        for p in net.parameters():
            p.normal_(0.0, 0.2)
    return net.eval()


def _period2_energy(image: np.ndarray) -> float:
    inner = image[96:-96, 96:-96]  # beyond the receptive field's reach of the zero-padded border
    return float(np.abs(inner[0::2, 0::2] - inner[1::2, 1::2]).mean())


def test_flat_input_gives_flat_output_only_without_per_phase_weights():
    """Random weights: the v1 shuffle decoder draws a 2-pixel pattern on a flat image, v2 none."""
    flat = torch.full((1, 1, 256, 256), 0.5)
    with torch.no_grad():
        v1 = _randomised(V1)(flat)[0, 0].numpy()
        v2 = _randomised(V2)(flat, noise_level=0.05)[0, 0].numpy()
    assert _period2_energy(v1) > 1e-3
    assert _period2_energy(v2) < 1e-6


def test_noise_level_map_shapes_agree():
    net = _randomised(V2)
    x = torch.rand(2, 1, 32, 32)
    with torch.no_grad():
        a = net(x, noise_level=0.1)
        b = net(x, noise_level=torch.full((2,), 0.1))
        c = net(x, noise_level=torch.full((2, 1, 32, 32), 0.1))
        d = net(x, noise_level=torch.full((32, 32), 0.1))
    for other in (b, c, d):
        torch.testing.assert_close(a, other)


def test_the_map_changes_the_output_where_it_changes():
    net = _randomised(V2, seed=1)
    x = torch.rand(1, 1, 64, 64)
    low = torch.full((1, 1, 64, 64), 0.01)
    high = low.clone()
    high[..., :, 40:] = 0.3
    with torch.no_grad():
        a, b = net(x, noise_level=low)[0, 0], net(x, noise_level=high)[0, 0]
    diff = (a - b).abs()
    assert diff[:, 50:].mean() > 10 * diff[:, :20].mean()


def test_tiled_inference_with_a_map_equals_whole_image():
    net = _randomised(V2, seed=2)
    rng = np.random.default_rng(0)
    image = rng.random((150, 170)).astype(np.float32)
    sigma = (0.02 + 0.1 * rng.random((150, 170))).astype(np.float32)
    whole = denoise(image, net, device="cpu", tile=1024, noise_level=sigma).image
    tiled = denoise(image, net, device="cpu", tile=96, overlap=8, noise_level=sigma).image
    np.testing.assert_allclose(whole, tiled, atol=2e-5)


def test_strength_scales_the_map_and_is_checked():
    image = np.full((16, 16), 0.5, np.float32)
    np.testing.assert_allclose(slice_sigma_map(image, 0.1, 0.5), 0.05)
    np.testing.assert_allclose(slice_sigma_map(image, np.full((16, 16), 0.2), 2.0), 0.4)
    net = _randomised(V2)
    a = denoise(image, net, device="cpu", noise_level=0.1, strength=2.0).image
    b = denoise(image, net, device="cpu", noise_level=0.2).image
    np.testing.assert_allclose(a, b, atol=1e-6)
    from denoscope.core.errors import ParameterError

    with pytest.raises(ParameterError):
        denoise(image, net, device="cpu", strength=float("nan"))
    with pytest.raises(ParameterError):
        denoise(image, net, device="cpu", noise_level=np.zeros((8, 8), np.float32))


def test_warm_start_from_v1_copies_what_fits():
    torch.manual_seed(0)
    v1 = build_model(V1)
    v2 = build_model(V2)
    notes = transfer_weights(v2, v1.state_dict())
    sd1, sd2 = v1.state_dict(), v2.state_dict()
    torch.testing.assert_close(sd2["head.0.weight"][:, :4], sd1["head.0.weight"])
    assert float(sd2["head.0.weight"][:, 4:].abs().sum()) == 0.0
    torch.testing.assert_close(
        sd2["up.0.1.weight"][:, :, 0, 0], sd1["up.0.weight"].mean(dim=(2, 3)).t()
    )
    torch.testing.assert_close(sd2["enc.0.0.weight"], sd1["enc.0.0.weight"])
    assert any("refine" in line and "fresh" in line for line in notes)


def test_grid_index_tells_the_two_decoders_apart_on_random_weights():
    rng = np.random.default_rng(3)
    image = (0.4 + 0.05 * rng.random((96, 96))).astype(np.float32)
    v1 = denoise(image, _randomised(V1, seed=4), device="cpu").image
    v2 = denoise(image, _randomised(V2, seed=4), device="cpu", noise_level=0.05).image
    assert grid_index(image, v1, data_range=1.0) > 3 * grid_index(image, v2, data_range=1.0)


def test_change_limit_bounds_what_the_network_removes():
    """A network given a map changes no pixel by more than CHANGE_LIMIT times its level."""
    from denoscope.core.inference import CHANGE_LIMIT, limit_change

    net = _randomised(V2, seed=5)
    rng = np.random.default_rng(1)
    image = (0.3 + 0.4 * rng.random((64, 64))).astype(np.float32)
    sigma = np.full((64, 64), 0.004, np.float32)
    sigma[:, 32:] = 0.02
    free = denoise(image, net, device="cpu", noise_level=sigma, change_limit=None).image
    limited = denoise(image, net, device="cpu", noise_level=sigma).image
    assert np.abs(image - free).max() > 2 * CHANGE_LIMIT * 0.02  # random weights change a lot
    assert np.all(np.abs(image - limited) <= CHANGE_LIMIT * sigma + 1e-6)
    # within the bound the network's output is kept as it is
    inside = np.abs(image - free) < CHANGE_LIMIT * sigma
    np.testing.assert_array_equal(limited[inside], free[inside])
    # strength scales the bound with the map
    half = denoise(image, net, device="cpu", noise_level=sigma, strength=0.5).image
    assert np.all(np.abs(image - half) <= CHANGE_LIMIT * 0.5 * sigma + 1e-6)
    np.testing.assert_allclose(
        limit_change(
            np.zeros(3, np.float32),
            np.array([-1.0, 0.01, 1.0], np.float32),
            np.full(3, 0.1, np.float32),
            2.0,
        ),
        [-0.2, 0.01, 0.2],
        rtol=1e-6,
    )
    from denoscope.core.errors import ParameterError

    with pytest.raises(ParameterError):
        denoise(image, net, device="cpu", noise_level=sigma, change_limit=0.0)
