"""Model files: round trip, and every way a file can be wrong gives ModelFileError."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from denoscope.core.checkpoint import file_sha256, load_card, load_model, save_model
from denoscope.core.errors import ModelFileError, ParameterError
from denoscope.core.model_card import DataSource, ModelCard, NoiseSpec, TrainingProvenance
from denoscope.core.model_registry import list_shipped, shipped_model
from denoscope.core.models import ResCAEConfig, build_model

torch.set_num_threads(1)
CONFIG = ResCAEConfig(widths=(8, 12))


def _card(config=CONFIG) -> ModelCard:
    return ModelCard(
        name="test res-cae",
        architecture=config,
        modality="ct",
        noise_models=[NoiseSpec(name="gaussian", level_min=0.01, level_max=0.2, unit="sigma")],
        normalization={"kind": "fixed", "low": -1024.0, "high": 3071.0},
        training_data=[DataSource(name="skimage camera", licence="BSD-3", images=1)],
        validation_metrics={"psnr": 30.0, "per_level": {"0.1": {"ssim": 0.8}}},
        training=TrainingProvenance(command="pytest", seed=0, epochs=1),
    )


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = build_model(CONFIG)
    path = tmp_path / "model.safetensors"
    card = save_model(path, model, _card())
    return path, model, card


def test_round_trip_gives_identical_outputs(saved):
    path, model, card = saved
    loaded = load_model(path)
    x = torch.rand(2, 1, 32, 32)
    with torch.inference_mode():
        assert torch.equal(model.eval()(x), loaded.module(x))
    assert not loaded.module.training
    assert loaded.card == card
    assert card.weights_sha256 == file_sha256(path)
    assert card.parameter_count == model.parameter_count
    assert card.created is not None and card.denoscope_version
    assert load_model(path.with_suffix(".json")).card == card


def test_tampered_weights_fail_the_hash(saved):
    path, _, _ = saved
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="sha256"):
        load_model(path)


def test_truncated_weights_fail(saved):
    path, _, _ = saved
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ModelFileError):
        load_model(path)


def test_unreadable_weights_with_matching_hash_fail_cleanly(saved):
    path, _, card = saved
    path.write_bytes(b"\x00" * 64)
    card_file = path.with_suffix(".json")
    data = json.loads(card_file.read_text())
    data["weights_sha256"] = file_sha256(path)
    card_file.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="safetensors header"):
        load_model(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format_version=99), "format version"),
        (lambda d: d.update(surprise=1), "schema"),
        (lambda d: d.update(modality="ultrasound"), "schema"),
        (lambda d: d["architecture"].update(arch="unet"), "schema"),
        (lambda d: d.pop("weights_sha256"), "weights_sha256"),
    ],
)
def test_bad_cards_are_rejected(saved, change, message):
    path, _, _ = saved
    card_file = path.with_suffix(".json")
    data = json.loads(card_file.read_text())
    change(data)
    card_file.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_card_that_is_not_json_is_rejected(saved):
    path, _, _ = saved
    path.with_suffix(".json").write_text("{not json")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_card(path)


def test_weights_of_another_architecture_are_rejected(saved):
    path, _, _ = saved
    card_file = path.with_suffix(".json")
    data = json.loads(card_file.read_text())
    data["architecture"]["widths"] = [8, 16]
    card_file.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="wrong shapes"):
        load_model(path)


def test_missing_files_are_reported(tmp_path, saved):
    path, _, _ = saved
    with pytest.raises(ModelFileError, match="weights file is missing"):
        load_model(tmp_path / "absent.safetensors")
    path.with_suffix(".json").unlink()
    with pytest.raises(ModelFileError, match="card is missing"):
        load_model(path)
    with pytest.raises(ModelFileError, match="not a model file"):
        load_model(tmp_path / "model.pt")


def test_loading_never_unpickles(saved, monkeypatch):
    import pickle

    path, _, _ = saved

    def forbidden(*args, **kwargs):
        raise AssertionError("unpickling attempted")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(torch, "load", forbidden)
    assert load_model(path).card.name == "test res-cae"
    header_len = int(np.frombuffer(path.read_bytes()[:8], dtype="<u8")[0])
    header = json.loads(path.read_bytes()[8 : 8 + header_len])
    assert header["__metadata__"]["denoscope_card"] == "model.json"


def test_registry_points_to_models_folder_with_a_fix_hint(monkeypatch, tmp_path):
    import denoscope.core.model_registry as registry

    monkeypatch.setattr(registry, "shipped_models_dir", lambda: tmp_path)
    assert list_shipped() == {}
    with pytest.raises(ModelFileError, match="--model"):
        shipped_model("ct")
    with pytest.raises(ParameterError):
        shipped_model("pet")
    save_model(tmp_path / "ct.safetensors", build_model(CONFIG), _card())
    assert shipped_model("CT") == tmp_path / "ct.safetensors"
    assert list_shipped() == {"ct": tmp_path / "ct.safetensors"}
    assert registry.load_shipped_model("ct").card.name == "test res-cae"


def test_card_summary_names_arch_size_and_noise(saved):
    _, model, card = saved
    summary = card.summary()
    assert summary.startswith("test res-cae: res-cae, ")
    assert f"{model.parameter_count:,} parameters" in summary
    assert "gaussian 0.01-0.2" in summary
