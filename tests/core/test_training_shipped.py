"""The shipped models (models/<modality>.*): loadable, small, documented, and denoising."""

from __future__ import annotations

import numpy as np
import pytest

from denoscope.core.model_registry import SHIPPED_MODALITIES, shipped_model

MAX_BYTES = 5 * 1024 * 1024


@pytest.mark.parametrize("modality", SHIPPED_MODALITIES)
def test_shipped_files_and_card(modality):
    from denoscope.core.checkpoint import load_model

    path = shipped_model(modality)
    assert path.stat().st_size < MAX_BYTES
    for suffix in ("_loss_curve.png", "_history.csv", "_eval.md", "_eval.csv"):
        assert (path.parent / f"{modality}{suffix}").is_file()
    loaded = load_model(path)  # checks the weights hash against the card
    card = loaded.card
    assert card.modality == modality and card.architecture.arch == "res-cae"
    # v2: noise-level map input and the resize-conv decoder (no 2-pixel grid)
    assert card.architecture.noise_level_input and card.architecture.upsampling == "resize"
    assert card.name == f"Denoscope {modality} res-cae v2"
    previous = card.validation_metrics["previous_version"]
    assert previous["name"] == f"Denoscope {modality} res-cae v1" and previous["test"]["means"]
    assert card.training.command.startswith("denoscope train --modality " + modality)
    assert any(d.role == "train" for d in card.training_data)
    test = card.validation_metrics["test"]
    assert test["protocol"]["split"] == "test"
    for setting, methods in test["means"].items():
        assert {"noisy", "model", "nlmeans"} <= set(methods), setting
        assert methods["model"]["psnr"] >= methods["noisy"]["psnr"]
        assert {"psnr_bar_met", "lpips_bar_met", "grid_bar_met", "no_harm_met"} <= set(
            test["bar"][setting]
        )
    table = (path.parent / f"{modality}_eval.md").read_text()
    assert "| model |" in table and "| NL-means |" in table


@pytest.mark.parametrize("modality", SHIPPED_MODALITIES)
def test_shipped_model_denoises_the_bundled_sample(modality):
    from denoscope.core.checkpoint import load_model
    from denoscope.core.inference import denoise
    from denoscope.core.intensity import normalization_for
    from denoscope.core.io import load_study
    from denoscope.core.metrics import psnr
    from denoscope.core.noise import add_noise
    from denoscope.core.resources import sample_path

    study = load_study(sample_path(modality))
    clean = normalization_for(study.frames, modality).to_unit(study.frames)[0]
    r, c = clean.shape[0] // 2, clean.shape[1] // 2
    clean = np.ascontiguousarray(clean[max(0, r - 64) : r + 64, max(0, c - 64) : c + 64])
    noisy = add_noise(clean, "gaussian", 0.1, rng=0)
    out = denoise(noisy, load_model(shipped_model(modality)), device="cpu").image
    assert out.shape == clean.shape
    assert psnr(clean, out, data_range=1.0) > psnr(clean, noisy, data_range=1.0) + 4.0
