"""``denoscope trust``: one image in; markdown, JSON and a figure out; never overwrites."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image
from trust_standins import phantom


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from denoscope.core.checkpoint import save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import build_model

    root = tmp_path_factory.mktemp("trust")
    torch.manual_seed(0)
    arch = {"arch": "res-cae", "widths": [8, 8], "bottleneck_convs": 1}
    save_model(
        root / "m.safetensors",
        build_model(arch),
        ModelCard(name="tiny", architecture=arch, modality="mri"),
    )
    Image.fromarray((phantom(112) * 255).astype(np.uint8)).save(root / "head.png")
    return root


def _args(setup, out, *extra):
    return [
        "trust",
        str(setup / "head.png"),
        "--model",
        str(setup / "m.safetensors"),
        "--noise",
        "gaussian:0.05",
        "--lesions",
        "6",
        "--baselines",
        "median",
        "--redraws",
        "2",
        "--json",
        str(out / "t.json"),
        "--md",
        str(out / "t.md"),
        "--figure",
        str(out / "t.png"),
        *extra,
    ]


def test_trust_writes_json_markdown_and_figure(setup, tmp_path, capsys):
    from denoscope.cli import main

    extra = ("--window", "0.5,1", "--lesion-radius", "3,6", "--lesion-contrast", "0.35,1")
    assert main(_args(setup, tmp_path, *extra)) == 0
    record = json.loads((tmp_path / "t.json").read_text())
    for lesion in record["lesion_test"]["lesions"]:
        assert 3 <= lesion["radius"] <= 6 and 0.35 <= abs(lesion["cnr"]) <= 1.0 + 1e-9
    assert record["info"]["radius_px"] == [3, 6]
    methods = record["lesion_test"]["methods"]
    assert list(methods) == ["noisy", "model", "median"]
    assert methods["noisy"]["fraction_lost"] == 0.0
    assert record["maps"]["uncertainty"]["draws"] == 2
    assert record["pure_noise"]["methods"]["noisy"]["creates_structure"] is False
    assert set(record["metrics"]) == {"noisy", "model", "median"}
    text = (tmp_path / "t.md").read_text()
    assert "| median |" in text and "NPW d′" in text
    assert "retained contrast" in capsys.readouterr().out
    with Image.open(tmp_path / "t.png") as figure:
        assert figure.size[0] > 800
    before = (tmp_path / "t.json").read_bytes()
    assert main(_args(setup, tmp_path)) != 0
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "t.json").read_bytes() == before  # never replaced without --force


def test_trust_rejects_bad_input(setup, tmp_path, capsys):
    from denoscope.cli import main

    assert main(_args(setup, tmp_path, "--window", "bad")) != 0
    assert "--window takes CENTER,WIDTH" in capsys.readouterr().err
    assert main(_args(setup, tmp_path, "--lesion-radius", "6,3")) != 0
    assert "--lesion-radius needs 0 < MIN <= MAX" in capsys.readouterr().err
    assert main(_args(setup, tmp_path, "--redraws", "1")) != 0
    assert "--redraws takes 0" in capsys.readouterr().err
    assert main(_args(setup, tmp_path, "--lesion-contrast", "x")) != 0
    assert "--lesion-contrast takes MIN,MAX" in capsys.readouterr().err
    missing = ["trust", str(tmp_path / "missing.png"), "--model", str(setup / "m.safetensors")]
    assert main(missing) != 0
    assert "no such file" in capsys.readouterr().err
