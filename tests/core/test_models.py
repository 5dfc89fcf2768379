"""Architectures: shapes, ranges, configs and the shipped res-cae's size."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from denoscope.core.models import (
    ARCHITECTURES,
    CAE,
    DenseCAEConfig,
    ResCAEConfig,
    build_model,
    default_config,
    estimate_noise_sigma,
    parse_model_config,
)

torch.set_num_threads(1)

SMALL = {
    "cae": {"arch": "cae", "channels": (8, 16)},
    "dense-cae": {"arch": "dense-cae", "patch_size": 16, "channels": (4, 8), "hidden": 16},
    "res-cae": {"arch": "res-cae", "widths": (8, 12, 16)},
    "dncnn": {"arch": "dncnn", "depth": 5, "width": 8},
}


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_every_arch_maps_batches_into_unit_range(arch):
    torch.manual_seed(0)
    model = build_model(SMALL[arch]).eval()
    size = model.fixed_size or 4 * model.stride_multiple
    x = torch.rand(3, 1, size, size)
    with torch.inference_mode():
        y = model(x)
    assert y.shape == x.shape
    assert float(y.min()) >= 0.0 and float(y.max()) <= 1.0


def test_cae_is_the_first_reports_network():
    model = CAE()
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [
        (1, 64, (3, 3)),
        (64, 128, (3, 3)),
        (128, 128, (3, 3)),
        (128, 64, (3, 3)),
        (64, 1, (3, 3)),
    ]
    assert sum(isinstance(m, torch.nn.MaxPool2d) for m in model.modules()) == 2
    assert sum(isinstance(m, torch.nn.Upsample) for m in model.modules()) == 2
    assert isinstance(model.decoder[-1], torch.nn.Sigmoid)
    assert model.stride_multiple == 4


def test_shipped_res_cae_is_small_and_has_no_batch_norm():
    model = build_model("res-cae")
    assert 100_000 <= model.parameter_count <= 300_000
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())
    assert model.stride_multiple == 8


def test_res_cae_predicts_a_residual_identity_when_tail_is_zero():
    model = build_model(SMALL["res-cae"]).eval()
    torch.nn.init.zeros_(model.tail.weight)
    torch.nn.init.zeros_(model.tail.bias)
    x = torch.rand(1, 1, 32, 32)
    with torch.inference_mode():
        assert torch.equal(model(x), x)


def test_res_cae_noise_level_input_accepts_scalar_or_estimate():
    model = build_model({**SMALL["res-cae"], "noise_level_input": True}).eval()
    x = torch.rand(2, 1, 16, 16)
    with torch.inference_mode():
        assert model(x, noise_level=0.1).shape == x.shape
        assert model(x).shape == x.shape


def test_noise_sigma_estimate_is_close_on_gaussian_noise():
    generator = torch.Generator().manual_seed(1)
    x = 0.5 + 0.05 * torch.randn(1, 1, 128, 128, generator=generator)
    assert float(estimate_noise_sigma(x)[0]) == pytest.approx(0.05, rel=0.1)


def test_dense_cae_rejects_other_sizes():
    model = build_model(SMALL["dense-cae"])
    with pytest.raises(ValueError, match="16x16"):
        model(torch.rand(1, 1, 20, 20))


def test_configs_parse_from_names_dicts_and_json_and_reject_unknown_keys():
    assert parse_model_config("res-cae") == default_config("res-cae") == ResCAEConfig()
    config = parse_model_config(ResCAEConfig(widths=(8, 16)).model_dump_json())
    assert config.widths == (8, 16)
    with pytest.raises(ValidationError):
        parse_model_config({"arch": "res-cae", "width": 3})
    with pytest.raises(ValidationError):
        parse_model_config({"arch": "unet"})
    with pytest.raises(ValidationError):
        DenseCAEConfig(patch_size=30)
