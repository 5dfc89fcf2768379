"""Networks in the trust tests are run as the product runs them: noise-level map, strength."""

from __future__ import annotations

import numpy as np
import torch

from denoscope.core.noise import add_noise
from denoscope.core.noise.sigma_map import estimate_sigma_map, noise_sigma_map
from denoscope.core.trust import apply_denoiser, model_denoiser, redraw_uncertainty


class _Recorder(torch.nn.Module):
    """An identity network that takes a noise-level map and remembers the last one."""

    noise_level_input = True

    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.seen: list[np.ndarray] = []

    def forward(self, x, noise_level=None):
        self.seen.append(noise_level[0, 0].detach().cpu().numpy().copy())
        return x


def test_the_network_gets_the_noise_models_sigma_map_times_strength():
    clean = np.tile(np.linspace(0.1, 0.9, 64, dtype=np.float32), (64, 1))
    noisy = np.asarray(add_noise(clean, "poisson", 100.0, rng=0))
    net = _Recorder()
    model = model_denoiser(net, noise="poisson", level=100.0, strength=0.5)
    out = apply_denoiser(model, noisy, clean)
    np.testing.assert_allclose(out, noisy, atol=1e-6)
    expected = 0.5 * noise_sigma_map("poisson", clean, noisy, 100.0)
    np.testing.assert_allclose(net.seen[-1], expected, rtol=1e-5, atol=1e-6)
    apply_denoiser(model, noisy)  # no clean image (real input): the estimate
    np.testing.assert_allclose(net.seen[-1], 0.5 * estimate_sigma_map(noisy), rtol=1e-5, atol=1e-6)
    redraw_uncertainty(
        clean,
        model_denoiser(net, noise="poisson", level=100.0),
        noise="poisson",
        level=100.0,
        draws=2,
    )
    assert net.seen[-1][:, -1].mean() > 2 * net.seen[-1][:, 0].mean()  # follows the signal


def test_blind_networks_get_no_map():
    class Blind(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.weight = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return x * 0.5

    model = model_denoiser(Blind(), noise="gaussian", level=0.1)
    image = np.full((16, 16), 0.4, np.float32)
    assert model.noise_level(image, image) is None
    np.testing.assert_allclose(apply_denoiser(model, image, image), 0.2, atol=1e-6)
