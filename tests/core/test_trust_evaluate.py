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


def test_slice_level_noise_is_drawn_on_the_whole_slice_then_cropped(tmp_path):
    import numpy as np
    from trust_standins import phantom

    from denoscope.core.checkpoint import save_model
    from denoscope.core.evaluation import TestImage
    from denoscope.core.evaluation.lesions import lesion_evaluation, lesion_markdown
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import build_model

    torch.manual_seed(0)
    arch = {"arch": "res-cae", "widths": [8, 8], "bottleneck_convs": 1}
    card = ModelCard(name="tiny", architecture=arch, modality="ct")
    save_model(tmp_path / "m.safetensors", build_model(arch), card)
    full = (phantom(192) * 0.6).astype(np.float32)
    data = lesion_evaluation(
        tmp_path / "m.safetensors",
        [TestImage("phantom[0]", full)],
        [("lowdose-ct", 0.25)],
        baselines=["median"],
        n_lesions=4,
        crop=128,
    )
    image = data["settings"]["lowdose-ct@0.25"]["per_image"][0]
    assert all(0 <= les["row"] < 128 and 0 <= les["col"] < 128 for les in image["lesions"])
    assert image["removed_structure_correlation"] < 0.9  # FBP noise of the whole slice
    assert "lowdose-ct@0.25" in lesion_markdown(data)
