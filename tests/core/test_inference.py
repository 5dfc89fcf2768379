"""Tiled inference: shapes, tiling consistency, cancel, progress, devices."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from skimage import data

from denoscope.core.checkpoint import LoadedModel
from denoscope.core.errors import ParameterError
from denoscope.core.inference import Cancelled, denoise, resolve_device, tile_plan
from denoscope.core.models import build_model

torch.set_num_threads(1)

SMALL = {
    "cae": {"arch": "cae", "channels": (8, 16)},
    "dense-cae": {"arch": "dense-cae", "patch_size": 16, "channels": (4, 8), "hidden": 16},
    "res-cae": {"arch": "res-cae", "widths": (8, 12, 16)},
    "dncnn": {"arch": "dncnn", "depth": 5, "width": 8},
}

#: Tiled and untiled outputs agree to float rounding: each tile carries a halo of
#: half the receptive field (weight 0) and tiles start on the network's stride
#: grid, so blended pixels all saw their full context. Measured max |diff| ~2e-7.
TILING_TOLERANCE = 1e-5


def _model(arch: str):
    torch.manual_seed(0)
    model = build_model(SMALL[arch])
    # Non-trivial batch-norm statistics, so eval-mode BN is exercised.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    return model


@pytest.fixture(scope="module")
def camera():
    return (data.camera()[:511, 64:447] / 255).astype(np.float32)  # 511 x 383, odd sizes


@pytest.mark.parametrize("arch", sorted(SMALL))
def test_odd_sizes_keep_shape_and_tiles_match_whole(arch, camera):
    model = _model(arch)
    whole = denoise(camera, model, device="cpu", tile=1024)
    tiled = denoise(camera, model, device="cpu", tile=160, overlap=16)
    assert whole.image.shape == tiled.image.shape == camera.shape
    assert whole.image.dtype == np.float32
    assert tiled.tiles > whole.tiles >= 1
    assert np.abs(whole.image - tiled.image).max() <= TILING_TOLERANCE
    assert whole.device == "cpu" and whole.note is None and whole.seconds > 0


def test_whole_image_equals_direct_network_call(camera):
    model = _model("res-cae").eval()
    image = camera[:256, :200]
    with torch.inference_mode():
        direct = model(torch.from_numpy(np.ascontiguousarray(image))[None, None])[0, 0].numpy()
    assert np.allclose(denoise(image, model, device="cpu").image, direct, rtol=0, atol=1e-6)


def test_tiny_and_series_inputs(camera):
    model = _model("res-cae")
    tiny = denoise(camera[:5, :3], model, device="cpu")
    assert tiny.image.shape == (5, 3)
    series = np.stack([camera[:64, :48], camera[64:128, :48], camera[128:192, :48]])
    result = denoise(series, model, device="cpu")
    assert result.image.shape == series.shape and result.tiles == 3
    one = denoise(series[1], model, device="cpu").image
    assert np.allclose(result.image[1], one, atol=TILING_TOLERANCE)
    dense = denoise(camera[:5, :3], _model("dense-cae"), device="cpu")
    assert dense.image.shape == (5, 3)


def test_loaded_model_wrapper_is_accepted(camera):
    model = _model("cae")
    wrapped = LoadedModel(module=model, card=None, path=None)
    assert np.array_equal(
        denoise(camera[:64, :64], wrapped, device="cpu").image,
        denoise(camera[:64, :64], model, device="cpu").image,
    )


def test_progress_reports_every_tile(camera):
    calls = []
    result = denoise(
        camera,
        _model("res-cae"),
        device="cpu",
        tile=160,
        overlap=16,
        progress=lambda done, total: calls.append((done, total)),
    )
    total = calls[-1][1]
    assert calls[-1] == (total, total) == (result.tiles, result.tiles)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_cancel_stops_between_tiles_and_slices(camera):
    model = _model("res-cae")
    checks = []

    def stop_after_three() -> bool:
        checks.append(1)
        return len(checks) > 3

    with pytest.raises(Cancelled):
        denoise(camera, model, device="cpu", tile=160, overlap=16, should_stop=stop_after_three)
    assert len(checks) == 4
    series = np.stack([camera[:64, :64]] * 5)
    checks.clear()
    with pytest.raises(Cancelled):
        denoise(series, model, device="cpu", should_stop=stop_after_three)
    assert len(checks) == 4


def test_missing_cuda_falls_back_to_cpu(monkeypatch, camera):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == (torch.device("cpu"), None)
    device, note = resolve_device("cuda")
    assert device == torch.device("cpu") and "not available" in note
    result = denoise(camera[:64, :64], _model("res-cae"), device="cuda")
    assert result.device == "cpu" and "CUDA" in result.note
    with pytest.raises(ParameterError):
        resolve_device("tpu")


def test_cuda_out_of_memory_halves_the_tile_then_uses_the_cpu(monkeypatch, camera):
    model = _model("res-cae")
    real_forward = type(model).forward
    tiles_seen = []

    def forward(self, x, noise_level=None):
        tiles_seen.append(tuple(x.shape[-2:]))
        if len(tiles_seen) <= 2:  # the 256 tile, then the 128 tile, run "out of memory"
            raise torch.cuda.OutOfMemoryError("fake")
        return real_forward(self, x, noise_level)

    monkeypatch.setattr(type(model), "forward", forward)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    # No GPU here: the fake out-of-memory errors come from the CPU run.
    result = denoise(camera[:500, :380], model, device="cpu", tile=384, overlap=8)
    assert result.image.shape == (500, 380)
    # 192 is the last halving that still holds two halos (64 px each) and the blend.
    assert result.note == (
        "CUDA ran out of memory; tile reduced to 192; "
        "CUDA ran out of memory even with small tiles; ran on the CPU"
    )
    assert result.device == "cpu"
    assert tiles_seen[:3] == [(384, 384), (192, 192), (384, 384)]
    untouched = denoise(camera[:500, :380], _model("res-cae"), device="cpu", tile=384, overlap=8)
    assert np.abs(result.image - untouched.image).max() <= TILING_TOLERANCE


def test_tile_plan_bounds_tiles_and_rejects_tiny_tiles():
    model = _model("res-cae")
    plan = tile_plan((2000, 300), model, tile=512, overlap=32)
    assert plan.rows.length == 512 and plan.cols.length == 304
    assert all(start % model.stride_multiple == 0 for start in plan.rows.starts)
    assert (plan.rows.weight_sum > 0).all()
    with pytest.raises(ParameterError, match="tile"):
        tile_plan((2000, 300), model, tile=64, overlap=32)


def test_bad_inputs_are_rejected():
    with pytest.raises(ParameterError):
        denoise(np.zeros(5, np.float32), _model("cae"), device="cpu")
    with pytest.raises(ParameterError):
        denoise(np.zeros((0, 4), np.float32), _model("cae"), device="cpu")
    with pytest.raises(ParameterError, match=r"\[0, 1\]"):
        denoise(np.full((8, 8), 255, np.float32), _model("cae"), device="cpu")
    with pytest.raises(ParameterError):
        denoise(np.full((8, 8), np.nan, np.float32), _model("cae"), device="cpu")


def _measured_reach(model, size: int = 192) -> int:
    """How far (pixels, to one side) the centre output pixel sees, by back-propagation.

    Weights are set positive and small (no dead ReLU, no clamp saturation) so the
    gradient is non-zero exactly on the network's structural receptive field.
    """
    model = model.double().eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim > 1:
                p.fill_(0.5 / (p.shape[0] * 4 if name.startswith("up") else p[0].numel()))
            else:
                p.fill_(1.0 if name.endswith("weight") else 0.0)
    x = torch.full((1, 1, size, size), 0.9, dtype=torch.float64, requires_grad=True)
    model(x)[0, 0, size // 2, size // 2].backward()
    support = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    return max(size // 2 - int(support.min()), int(support.max()) - size // 2)


@pytest.mark.parametrize(
    "config",
    [
        {"arch": "cae", "channels": (4, 8)},
        {"arch": "res-cae", "widths": (4, 6, 8)},
        {"arch": "res-cae", "widths": (4,), "bottleneck_convs": 1},
        {"arch": "res-cae", "widths": (4, 6), "convs_per_level": 2, "bottleneck_convs": 3},
        {"arch": "dncnn", "depth": 6, "width": 4},
    ],
)
def test_declared_receptive_field_covers_the_measured_one(config):
    # The tiling halo is half the declared receptive field: it must not be too small.
    model = build_model(config)
    reach = _measured_reach(model)
    assert 0 < reach <= model.receptive_field // 2


def test_noise_level_input_model_tiles_consistently(camera):
    torch.manual_seed(0)
    model = build_model({"arch": "res-cae", "widths": (8, 12), "noise_level_input": True})
    whole = denoise(camera, model, device="cpu", tile=1024)
    tiled = denoise(camera, model, device="cpu", tile=128, overlap=16)
    assert np.abs(whole.image - tiled.image).max() <= TILING_TOLERANCE
    given = denoise(camera, model, device="cpu", noise_level=0.3).image
    assert not np.allclose(given, whole.image)
