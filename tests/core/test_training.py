"""Training: losses, augmentation, noise mixing, patches, checkpoints, curves, a tiny full run."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from denoscope.core.corpus.synthetic import ellipse_phantom, write_synthetic_corpus
from denoscope.core.training import checkpointing, curves
from denoscope.core.training.augment import apply_geometry, scale_intensity
from denoscope.core.training.config import TrainConfig
from denoscope.core.training.dataset import (
    ImageStack,
    NoisyBatches,
    PatchSampler,
    corpus_stacks,
    folder_stacks,
    validation_set,
)
from denoscope.core.training.losses import make_loss, poisson_nll, ssim_torch
from denoscope.core.training.noise_mix import MODALITY_MIX, NoiseComponent, choose, eval_settings

TINY_ARCH = {"arch": "res-cae", "widths": [8, 8], "bottleneck_convs": 1}


@pytest.fixture
def corpus(tmp_path):
    write_synthetic_corpus(tmp_path / "corpus", "mri", size=48)
    return tmp_path / "corpus"


def _config(corpus, out, **kw):
    base = dict(
        modality="mri",
        arch=TINY_ARCH,
        data=str(corpus),
        out=str(out),
        epochs=2,
        steps_per_epoch=3,
        batch_size=4,
        patch=32,
        val_images=2,
        val_crop=32,
        threads=1,
    )
    return TrainConfig(**(base | kw))


def test_losses_vanish_at_the_target_and_ssim_matches_reference():
    from denoscope.core.metrics import ssim

    rng = np.random.default_rng(0)
    clean = torch.from_numpy(ellipse_phantom((64, 64), rng=rng))[None, None]
    noisy = (clean + 0.1 * torch.randn_like(clean)).clamp(0, 1)

    def ref_psnr(a, b):
        from denoscope.core.metrics import psnr as metric

        return metric(a[0, 0].numpy(), b[0, 0].numpy(), data_range=1.0)

    for name in ("mse", "l1", "poisson", "mse+ssim"):
        loss = make_loss(name)
        assert float(loss(clean, clean)) == pytest.approx(0.0, abs=1e-5)
        assert float(loss(noisy, clean)) > 1e-4
    ref = ssim(clean[0, 0].numpy(), noisy[0, 0].numpy(), data_range=1.0)
    assert float(ssim_torch(noisy, clean)) == pytest.approx(ref, abs=0.03)
    psnr = make_loss("psnr")
    assert float(psnr(noisy, clean)) == pytest.approx(-ref_psnr(clean, noisy), abs=0.01)
    assert float(psnr(clean, clean)) == pytest.approx(-100.0)
    # the Poisson loss is smallest at the true mean
    target = torch.full((1, 1, 8, 8), 0.5)
    assert float(poisson_nll(target, target)) < float(poisson_nll(target * 1.2, target))
    with pytest.raises(ValueError, match="unknown loss"):
        make_loss("huber")


def test_augmentation():
    image = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(apply_geometry(image, 1, False), np.rot90(image))
    np.testing.assert_array_equal(apply_geometry(image, 0, True), image[:, ::-1])
    scaled = scale_intensity(np.full((4, 4), 0.99, np.float32), np.random.default_rng(0))
    assert scaled.dtype == np.float32 and 0.0 <= scaled.min() and scaled.max() <= 1.0


def test_noise_mix_draws_inside_ranges():
    rng = np.random.default_rng(0)
    for modality, mix in MODALITY_MIX.items():
        names = set()
        for _ in range(50):
            name, level = choose(mix, rng)
            assert any(c.low <= level <= c.high for c in mix if c.name == name)
            names.add(name)
        assert names == {c.name for c in mix}
        assert any(c.low == c.high == 0.0 for c in mix)  # clean input is trained too
        settings = eval_settings(modality)
        assert settings[0] == ("gaussian", 0.1) and settings[1][0] in {
            "rician",
            "lowdose-ct",
            "xray",
        }
    log = NoiseComponent("xray", 100, 1e5, log_uniform=True)
    draws = np.array([log.draw(rng) for _ in range(400)])
    assert np.median(draws) == pytest.approx(np.sqrt(100 * 1e5), rel=0.5)


def test_batches_are_seeded_and_well_formed(corpus):
    stacks = corpus_stacks(corpus, "train")
    small = [ImageStack("small", "train", np.full((1, 20, 24), 0.5, np.float32))]
    assert PatchSampler(small, 32).sample(np.random.default_rng(0)).shape == (32, 32)

    def make(seed):
        return NoisyBatches(
            PatchSampler(stacks, 32), MODALITY_MIX["mri"], np.random.default_rng(seed)
        )

    noisy, clean = make(3).batch(5)
    assert noisy.shape == clean.shape == (5, 1, 32, 32) and noisy.dtype == np.float32
    assert 0.0 <= noisy.min() and noisy.max() <= 1.0
    again, _ = make(3).batch(5)
    np.testing.assert_array_equal(noisy, again)
    assert not np.array_equal(noisy, make(4).batch(5)[0])


def test_slice_level_noise_uses_a_rendered_bank():
    stacks = [
        ImageStack(
            "ct",
            "train",
            np.stack([ellipse_phantom((64, 64), rng=np.random.default_rng(i)) for i in range(2)]),
        )
    ]
    batches = NoisyBatches(
        PatchSampler(stacks, 32),
        (NoiseComponent("lowdose-ct", 0.05, 0.5, True),),
        np.random.default_rng(0),
        bank_size=2,
    )
    assert len(batches.banks["lowdose-ct"].triples) == 2
    noisy, clean = batches.batch(3)
    assert noisy.shape == (3, 1, 32, 32) and not np.array_equal(noisy, clean)
    noisy, clean, sigma = batches.batch_with_sigma(3)
    # the map is the realised local noise RMS (the truth is known for synthetic noise)
    assert sigma.shape == noisy.shape and float(sigma.min()) >= 0.0
    rms = float(np.sqrt(np.mean((noisy - clean) ** 2)))
    assert float(sigma.mean()) == pytest.approx(rms, rel=0.6)


def test_validation_set_is_fixed(corpus):
    stacks = corpus_stacks(corpus, "val")
    items = validation_set(
        stacks, [("gaussian", 0.1), ("rician", 0.05)], n_images=2, crop=32, seed=1
    )
    assert len(items) == 4 and items[0].clean.shape == (32, 32)
    again = validation_set(
        stacks, [("gaussian", 0.1), ("rician", 0.05)], n_images=2, crop=32, seed=1
    )
    np.testing.assert_array_equal(items[1].noisy, again[1].noisy)


def test_folder_of_pngs_is_split_by_file(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(5):
        sub = tmp_path / f"patient{i}"
        sub.mkdir()
        Image.fromarray((ellipse_phantom((40, 40), rng=rng) * 255).astype(np.uint8)).save(
            sub / "img.png"
        )
    stacks = folder_stacks(tmp_path, modality="xray")
    assert len(stacks) == 5
    assert {s.split for s in stacks} == {"train", "val", "test"}
    assert all(s.frames.shape == (1, 40, 40) and s.frames.max() <= 1.0 for s in stacks)


def test_folder_of_dicom_files_is_split_by_series(tmp_path):
    import shutil

    from pydicom.data import get_testdata_file

    for i, name in enumerate(["CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm"]):
        (tmp_path / f"s{i}").mkdir()
        shutil.copy(get_testdata_file(name), tmp_path / f"s{i}" / name)
    (tmp_path / "notes.txt").write_text("not an image")
    stacks = folder_stacks(tmp_path, modality="ct")
    assert len(stacks) == 3
    assert {s.split for s in stacks} == {"train", "val", "test"}
    assert all(0.0 <= s.frames.min() and s.frames.max() <= 1.0 for s in stacks)


def test_checkpoint_state_round_trip(tmp_path):
    net = torch.nn.Conv2d(1, 1, 3)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5)
    net(torch.rand(1, 1, 8, 8)).mean().backward()
    opt.step()
    sched.step()
    rng = np.random.default_rng(5)
    rng.random()
    checkpointing.save_state(
        tmp_path,
        model=net,
        best_model=net.state_dict(),
        optimizer=opt,
        scheduler=sched,
        rng=rng,
        info={"epoch": 1, "history": []},
    )
    expected_draw = rng.random()
    net2 = torch.nn.Conv2d(1, 1, 3)
    opt2 = torch.optim.AdamW(net2.parameters(), lr=1e-2)
    sched2 = torch.optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=5)
    rng2 = np.random.default_rng(0)
    info, best = checkpointing.load_state(
        tmp_path, model=net2, optimizer=opt2, scheduler=sched2, rng=rng2
    )
    assert info["epoch"] == 1 and set(best) == {"weight", "bias"}
    assert torch.equal(net2.weight, net.weight)
    assert torch.equal(
        opt2.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"]
    )
    assert sched2.last_epoch == 1 and rng2.random() == expected_draw


def test_curves(tmp_path):
    history = [
        {
            "epoch": e,
            "train_loss": 1 / e,
            "val_loss": 1.2 / e,
            "val_psnr": 20 + e,
            "lr": 1e-3,
            "seconds": 1.0,
            "psnr_gaussian@0.1": 21.0,
        }
        for e in range(1, 6)
    ]
    curves.write_history_csv(history, tmp_path / "h.csv")
    assert (tmp_path / "h.csv").read_text().splitlines()[0].startswith("epoch,train_loss,val_loss")
    curves.plot_loss_curve(history, tmp_path / "c.png")
    with Image.open(tmp_path / "c.png") as img:
        assert img.size == (800, 500)
        assert len(img.getcolors(100000)) > 3  # lines, text and axes were drawn


def test_tiny_training_run_is_deterministic_and_resumable(corpus, tmp_path):
    from denoscope.core.checkpoint import load_model
    from denoscope.core.training.loop import train

    a = train(_config(corpus, tmp_path / "a"), command="denoscope train ...", progress=False)
    b = train(_config(corpus, tmp_path / "b"), progress=False)
    assert a.model_path is not None and a.epochs_run == 2
    la, lb = load_model(a.model_path), load_model(b.model_path)
    for k, v in la.module.state_dict().items():
        assert torch.equal(v, lb.module.state_dict()[k])
    card = la.card
    assert card.modality == "mri" and card.training.command == "denoscope train ..."
    assert {n.name for n in card.noise_models} == {"gaussian", "rician"}
    assert "gaussian@0.1" in card.validation_metrics["settings"]
    assert (tmp_path / "a" / "loss_curve.png").is_file()
    assert (tmp_path / "a" / "history.csv").read_text().count("\n") == 3
    resumed = train(_config(corpus, tmp_path / "a", epochs=3), resume=True, progress=False)
    assert [row["epoch"] for row in resumed.history] == [1, 2, 3]


def test_fine_tuning_starts_from_given_weights(corpus, tmp_path):
    from denoscope.core.checkpoint import load_model
    from denoscope.core.errors import DenoscopeError
    from denoscope.core.training.checkpointing import initial_weights
    from denoscope.core.training.loop import train

    first = train(_config(corpus, tmp_path / "a", epochs=1), progress=False)
    best = initial_weights(tmp_path / "a" / "checkpoint" / "last.safetensors")
    final = load_model(first.model_path).module.state_dict()
    assert all(torch.equal(best[k], final[k]) for k in final)
    assert set(initial_weights(first.model_path)) == set(final)
    tuned = train(
        _config(corpus, tmp_path / "b", epochs=1, loss="psnr", init=str(first.model_path)),
        progress=False,
    )
    card = load_model(tuned.model_path).card
    assert card.training.details["initialised_from"] == str(first.model_path)
    with pytest.raises(DenoscopeError, match="do not fit"):
        train(
            _config(
                corpus,
                tmp_path / "c",
                arch={"arch": "res-cae", "widths": [8]},
                init=str(first.model_path),
            ),
            progress=False,
        )


def test_inherent_texture_goes_into_target_and_input_alike():
    """Texture the noise map does not describe is part of the target, not of the noise."""
    flat = [ImageStack("flat", "train", np.full((2, 64, 64), 0.5, np.float32))]
    mix = (NoiseComponent("gaussian", 0.05, 0.05, False),)

    def make(texture: float) -> NoisyBatches:
        return NoisyBatches(PatchSampler(flat, 32), mix, np.random.default_rng(0), texture=texture)

    noisy, clean, sigma = make(1.0).batch_with_sigma(8)
    assert float(clean.std(axis=(1, 2, 3)).min()) > 0.001  # every target carries grain
    assert float(np.std(noisy - clean)) == pytest.approx(0.05, rel=0.1)  # the noise is unchanged
    np.testing.assert_allclose(sigma, 0.05)
    _, plain, _ = make(0.0).batch_with_sigma(8)
    assert float(plain.std(axis=(1, 2, 3)).max()) < 1e-6
