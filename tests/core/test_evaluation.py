"""Evaluation: model vs noisy input and baselines, cached baselines, report outputs, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from denoscope.core.corpus.synthetic import write_synthetic_corpus
from denoscope.core.evaluation import REPORT1_TABLE, evaluate, gather_images, parse_setting
from denoscope.core.evaluation.images import center_crop, resize_report1
from denoscope.core.evaluation.report import markdown_table, plot_per_image, write_csv


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from denoscope.core.checkpoint import save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import build_model

    root = tmp_path_factory.mktemp("eval")
    write_synthetic_corpus(root / "corpus", "mri", size=48, volumes=(1, 1, 2), slices=2)
    torch.manual_seed(0)
    arch = {"arch": "res-cae", "widths": [8, 8], "bottleneck_convs": 1}
    model = build_model(arch)
    save_model(
        root / "m.safetensors", model, ModelCard(name="tiny", architecture=arch, modality="mri")
    )
    return root


def test_gather_and_crop(setup):
    images = gather_images(setup / "corpus", split="test")
    assert [i.image_id for i in images] == [
        "phantom-test-0[0]",
        "phantom-test-0[1]",
        "phantom-test-1[0]",
        "phantom-test-1[1]",
    ]
    assert [i.image_id for i in gather_images(setup / "corpus", limit=2)] == [
        "phantom-test-0[0]",
        "phantom-test-1[1]",
    ]
    assert center_crop(np.zeros((10, 20)), 8).shape == (8, 8)
    assert resize_report1(images[0].clean).shape == (128, 128)


def test_evaluate_rows_means_and_cache(setup, tmp_path):
    images = gather_images(setup / "corpus", limit=2)
    settings = [("gaussian", 0.1), parse_setting("rician", "mri")]
    assert settings[1] == ("rician", 0.05)
    kw = dict(
        baselines=["median", "nlmeans", "no-such"], lpips=False, baseline_cache=tmp_path / "bc"
    )
    result = evaluate(setup / "m.safetensors", images, settings, **kw)
    assert result.methods == ["noisy", "model", "median", "nlmeans"]
    assert len(result.rows) == 2 * 2 * 4
    means = result.means()
    noisy = means["gaussian@0.1"]["noisy"]
    assert 19.0 < noisy["psnr"] < 22.0  # sigma 0.1 white noise, clipped
    assert means["gaussian@0.1"]["nlmeans"]["psnr"] > noisy["psnr"]
    assert len(list((tmp_path / "bc").glob("*.json"))) == 2 * 2 * 2
    again = evaluate(setup / "m.safetensors", images, settings, **kw)
    assert again.means()["rician@0.05"]["median"] == means["rician@0.05"]["median"]
    table = markdown_table(result, title="t")
    assert "### gaussian@0.1" in table and "| NL-means |" in table
    write_csv(result, tmp_path / "rows.csv")
    assert (tmp_path / "rows.csv").read_text().count("\n") == len(result.rows) + 1
    plot_per_image(result, tmp_path / "plot.png")
    with Image.open(tmp_path / "plot.png") as img:
        assert img.size == (900, 620)


def test_report1_protocol_table(setup):
    images = gather_images(setup / "corpus", limit=1)
    result = evaluate(
        setup / "m.safetensors",
        images,
        [("gaussian-report1", 0.45)],
        baselines=[],
        lpips=False,
        report1=True,
    )
    assert result.rows[0].metrics["psnr"] < 12  # sigma 0.45 noise
    table = markdown_table(result)
    assert f"{REPORT1_TABLE['psnr']:.2f}" in table and "first report" in table


def test_cli_evaluate_writes_json(setup, tmp_path, capsys):
    from denoscope.cli import main

    out = tmp_path / "e.json"
    code = main(
        [
            "evaluate",
            "--model",
            str(setup / "m.safetensors"),
            "--data",
            str(setup / "corpus"),
            "--noise",
            "gaussian",
            "--level",
            "0.05",
            "--limit",
            "1",
            "--baselines",
            "median",
            "--no-lpips",
            "--json",
            str(out),
            "--md",
            str(tmp_path / "e.md"),
        ]
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert (
        data["settings"] == ["gaussian@0.05"]
        and data["means"]["gaussian@0.05"]["model"]["psnr"] > 0
    )
    assert "| median |" in (tmp_path / "e.md").read_text()
    assert "gaussian@0.05" in capsys.readouterr().out
    # the card records the test means and the bar check; the weights hash still verifies
    import shutil

    from denoscope.core.checkpoint import load_model

    for suffix in (".safetensors", ".json"):
        shutil.copy(setup / f"m{suffix}", tmp_path / f"copy{suffix}")
    code = main(
        [
            "evaluate",
            "--model",
            str(tmp_path / "copy.safetensors"),
            "--data",
            str(setup / "corpus"),
            "--limit",
            "1",
            "--baselines",
            "nlmeans,bm3d",
            "--no-lpips",
            "--update-card",
            "test",
        ]
    )
    assert code == 0
    test = load_model(tmp_path / "copy.safetensors").card.validation_metrics["test"]
    bar = test["bar"]["gaussian@0.1"]
    assert set(bar) >= {"psnr_minus_nlmeans", "above_nlmeans"}
    assert test["means"]["gaussian@0.1"]["model"]["psnr"] is not None
    assert (
        main(
            [
                "evaluate",
                "--model",
                str(setup / "m.safetensors"),
                "--data",
                str(setup / "corpus"),
                "--noise",
                "gaussian",
                "--noise",
                "rician",
                "--level",
                "0.1",
            ]
        )
        == 2
    )


def test_training_lineage_follows_init_cards(tmp_path):
    from denoscope.core.corpus.synthetic import write_synthetic_corpus
    from denoscope.core.evaluation.report import training_lineage
    from denoscope.core.training.config import TrainConfig
    from denoscope.core.training.loop import train

    write_synthetic_corpus(tmp_path / "c", "mri", size=48)
    kw = dict(
        modality="mri",
        arch={"arch": "res-cae", "widths": [8], "bottleneck_convs": 1},
        data=str(tmp_path / "c"),
        epochs=1,
        steps_per_epoch=1,
        batch_size=2,
        patch=32,
        val_images=1,
        val_crop=32,
        threads=1,
    )
    first = train(TrainConfig(out=str(tmp_path / "a"), **kw), command="cmd-a", progress=False)
    second = train(
        TrainConfig(out=str(tmp_path / "b"), init=str(first.model_path), **kw),
        command="cmd-b",
        progress=False,
    )
    assert training_lineage(second.model_path) == ["cmd-a", "cmd-b"]


def test_bar_check_covers_lpips_grid_and_harm_per_image():
    from denoscope.core.evaluation.report import bar_check
    from denoscope.core.evaluation.run import EvaluationResult, Row

    def row(image, method, psnr, ssim, lpips, grid):
        metrics = {
            "psnr": psnr,
            "ssim": ssim,
            "lpips": lpips,
            "grid": grid,
            "mse": 10 ** (-psnr / 10),
        }
        return Row(image, "s", method, metrics, 0.0, 0.1)

    rows = [
        row("a", "noisy", 30.0, 0.5, 0.4, 1.0),
        row("a", "model", 36.0, 0.9, 0.10, 0.3),
        row("a", "bm3d", 35.0, 0.8, 0.12, 0.5),
        row("b", "noisy", 40.0, 0.9, 0.1, 1.0),
        row("b", "model", 39.0, 0.9, 0.10, 0.3),  # worse than its input
        row("b", "bm3d", 39.5, 0.9, 0.12, 0.5),
    ]
    result = EvaluationResult(rows, "m", ["s"], ["noisy", "model", "bm3d"])
    bar = bar_check(result)["s"]
    assert bar["psnr_minus_bm3d"] == 0.25 and bar["psnr_bar_met"] is False
    assert bar["ssim_bar_met"] and bar["lpips_bar_met"] and bar["grid_bar_met"]
    assert bar["images_worse_than_input"] == ["b"] and bar["no_harm_met"] is False


def test_grid_bar_compares_how_much_grid_not_the_errors_shape():
    """A smaller, whiter error (higher index) can hold less period-2 energy than BM3D's."""
    from denoscope.core.evaluation.report import bar_check, relative_grid_energy
    from denoscope.core.evaluation.run import EvaluationResult, Row

    def row(image, method, mse, grid):
        metrics = {"psnr": -10 * np.log10(mse), "ssim": 0.5, "mse": mse, "grid": grid}
        return Row(image, "s", method, metrics, 0.0, 0.1)

    rows = [
        row("a", "noisy", 1e-2, 1.0),
        row("a", "model", 1e-4, 0.6),  # energy 0.006 of the input's
        row("a", "bm3d", 4e-4, 0.3),  # energy 0.012: twice the model's, at half the index
        row("b", "noisy", 1e-2, 1.0),
        row("b", "model", 1e-4, 0.6),
        row("b", "bm3d", 4e-4, 0.3),
    ]
    result = EvaluationResult(rows, "m", ["s"], ["noisy", "model", "bm3d"])
    energies = relative_grid_energy(result, "s")
    assert energies["noisy"] == pytest.approx(1.0)
    assert energies["model"] == pytest.approx(0.006) and energies["bm3d"] == pytest.approx(0.012)
    bar = bar_check(result)["s"]
    assert bar["grid_bar_met"] is True and bar["grid_index_bar_met"] is False
    # a real grid: the same error power, but all of it at period 2
    rows[1] = row("a", "model", 1e-4, 30.0)
    rows[4] = row("b", "model", 1e-4, 30.0)
    assert (
        bar_check(EvaluationResult(rows, "m", ["s"], ["noisy", "model", "bm3d"]))["s"][
            "grid_bar_met"
        ]
        is False
    )
