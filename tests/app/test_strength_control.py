"""The strength control scales the noise map a noise-level-aware model is given, and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from denoscope.core.resources import sample_path


@pytest.fixture(scope="module")
def tiny_v2_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    from denoscope.core.checkpoint import save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import ResCAEConfig, build_model

    torch.manual_seed(0)
    config = ResCAEConfig(
        widths=(4, 8), bottleneck_convs=1, noise_level_input=True, upsampling="resize"
    )
    path = tmp_path_factory.mktemp("model") / "tiny-v2-ct.safetensors"
    save_model(
        path, build_model(config), ModelCard(name="tiny v2", architecture=config, modality="ct")
    )
    return path


def test_strength_scales_the_noise_level_and_is_shown(
    window, open_study, settle, tiny_v2_model, qtbot
):
    from denoscope.app.widgets.controls import Controls

    controls = window.findChild(Controls)
    assert controls is not None
    window.state.set_params(model_path=tiny_v2_model)
    open_study(window, sample_path("ct"), timeout=120000, noise="gaussian", level=0.1)
    settle(window)
    base = window.state.result.noise_level
    assert base == pytest.approx(0.1, rel=1e-3)
    assert "0.1000" in controls.noise_level_shown.text()
    controls.strength.setValue(1.5)
    assert window.state.params.strength == 1.5
    qtbot.waitUntil(
        lambda: (
            window.state.result is not None
            and window.state.result.noise_level is not None
            and abs(window.state.result.noise_level - 0.15) < 1e-3
        ),
        timeout=120000,
    )
    assert "0.1500" in controls.noise_level_shown.text()
    window.state.set_params(strength=0.5)
    assert controls.strength.value() == 0.5


def test_blind_model_says_it_takes_no_noise_level(window, open_study, settle):
    from denoscope.app.widgets.controls import Controls

    open_study(window, sample_path("ct"), timeout=120000, noise="gaussian", level=0.1)
    settle(window)
    assert window.findChild(Controls).noise_level_shown.text() == "blind model"
