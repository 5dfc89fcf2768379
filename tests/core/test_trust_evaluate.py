"""``denoscope evaluate --lesions``: the lesion test over a test split, in JSON, markdown and a plot."""

from __future__ import annotations

import json

import torch
from PIL import Image

from denoscope.core.corpus.synthetic import write_synthetic_corpus


def test_evaluate_lesions(tmp_path, capsys):
    from denoscope.cli import main
    from denoscope.core.checkpoint import save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import build_model

    write_synthetic_corpus(tmp_path / "corpus", "mri", size=128, volumes=(1, 1, 1), slices=1)
    torch.manual_seed(0)
    arch = {"arch": "res-cae", "widths": [8, 8], "bottleneck_convs": 1}
    card = ModelCard(name="tiny", architecture=arch, modality="mri")
    save_model(tmp_path / "m.safetensors", build_model(arch), card)
    out = tmp_path / "e.json"
    code = main(
        [
            "evaluate",
            "--model",
            str(tmp_path / "m.safetensors"),
            "--data",
            str(tmp_path / "corpus"),
            "--noise",
            "gaussian:0.05",
            "--baselines",
            "median",
            "--no-lpips",
            "--lesions",
            "5",
            "--lesion-contrast",
            "1,2",
            "--json",
            str(out),
            "--md",
            str(tmp_path / "e.md"),
            "--lesion-plot",
            str(tmp_path / "l.png"),
        ]
    )
    assert code == 0
    lesions = json.loads(out.read_text())["info"]["lesions"]
    pooled = lesions["settings"]["gaussian@0.05"]["pooled"]
    assert list(pooled) == ["noisy", "model", "median"]
    assert pooled["noisy"]["fraction_lost"] == 0.0 and pooled["noisy"]["lesions"] >= 2
    assert 0.0 <= pooled["median"]["fraction_lost"] <= 1.0
    text = (tmp_path / "e.md").read_text()
    assert "Lesion insertion" in text and "NPW d′" in text
    assert "contrast 1–2 × local noise σ" in text
    for image in lesions["settings"]["gaussian@0.05"]["per_image"]:
        assert all(1.0 <= abs(les["cnr"]) <= 2.0 + 1e-9 for les in image["lesions"])
    assert "retained contrast" in capsys.readouterr().out
    with Image.open(tmp_path / "l.png") as plot:
        assert plot.size[0] > 300
