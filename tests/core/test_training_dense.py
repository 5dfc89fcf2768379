"""``train --arch dense-cae`` validates on whole images larger than its fixed patch."""

from __future__ import annotations

import numpy as np
import torch

from denoscope.core.corpus.synthetic import write_synthetic_corpus
from denoscope.core.models import build_model
from denoscope.core.models.config import DenseCAEConfig
from denoscope.core.training.config import TrainConfig
from denoscope.core.training.loop import forward_padded, train

DENSE = {"arch": "dense-cae", "patch_size": 16, "channels": [4, 8], "hidden": 16, "latent": 8}


def test_forward_padded_tiles_a_fixed_size_network_like_inference():
    from denoscope.core.inference import denoise

    torch.manual_seed(0)
    net = build_model(DenseCAEConfig(**DENSE)).eval()
    image = np.random.default_rng(0).random((50, 37)).astype(np.float32)
    with torch.no_grad():
        out = forward_padded(net, image, torch.device("cpu"))
    assert out.shape == image.shape
    np.testing.assert_allclose(out, denoise(image, net, device="cpu").image, atol=1e-6)


def test_dense_cae_training_run_reaches_validation(tmp_path):
    write_synthetic_corpus(tmp_path / "corpus", "mri", size=48)
    config = TrainConfig(
        modality="mri",
        arch=DENSE,
        data=str(tmp_path / "corpus"),
        out=str(tmp_path / "run"),
        epochs=1,
        steps_per_epoch=2,
        batch_size=4,
        patch=16,
        val_images=2,
        val_crop=40,  # validation images larger than the 16 px patch
        threads=1,
    )
    result = train(config, progress=False)
    assert result.model_path is not None and result.epochs_run == 1
    assert np.isfinite(result.best_val_loss)

    from denoscope.core.checkpoint import load_model

    assert load_model(result.model_path).card.architecture.arch == "dense-cae"
