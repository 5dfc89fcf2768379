"""train --out never silently replaces a run; trained models get unique names."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from denoscope.cli import main
from denoscope.core.cli.train import check_run_folder
from denoscope.core.errors import OutputExistsError, ParameterError
from denoscope.core.model_naming import is_unique_model_name, name_trained_model, unique_model_name


def test_existing_run_is_refused_without_force_or_resume(tmp_path: Path, capsys) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"x")
    before = (tmp_path / "model.safetensors").read_bytes()
    with pytest.raises(OutputExistsError, match="already holds a run"):
        check_run_folder(tmp_path, resume=False, force=False)
    check_run_folder(tmp_path, resume=True, force=False)
    check_run_folder(tmp_path, resume=False, force=True)
    with pytest.raises(ParameterError):
        check_run_folder(tmp_path, resume=True, force=True)
    code = main(["train", "--modality", "ct", "--out", str(tmp_path), "--epochs", "1"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--resume" in err and "--force" in err and err.count("\n") == 1
    assert (tmp_path / "model.safetensors").read_bytes() == before


def test_empty_or_new_folder_is_fine(tmp_path: Path) -> None:
    check_run_folder(tmp_path / "new", resume=False, force=False)
    check_run_folder(tmp_path, resume=False, force=False)


def test_unique_name() -> None:
    name = unique_model_name("res-cae", "ct", "3F9A1C2E" + "0" * 56, when=datetime(2026, 11, 23))
    assert name == "res-cae ct 2026-11-23 3f9a1c2e"
    assert is_unique_model_name(name)
    assert not is_unique_model_name("Denoscope ct res-cae v1")


def test_trained_model_card_gets_its_unique_name(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from denoscope.core.checkpoint import load_model, save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import build_model
    from denoscope.core.models.config import CAEConfig

    config = CAEConfig(channels=(2, 2))
    path = tmp_path / "model.safetensors"
    card = ModelCard(
        name="Denoscope ct cae v1",
        architecture=config,
        modality="ct",
        created=datetime(2026, 1, 2, tzinfo=UTC),
    )
    written = save_model(path, build_model(config), card)
    name = name_trained_model(path)
    assert name == f"cae ct 2026-01-02 {written.weights_sha256[:8]}"
    assert load_model(path).card.name == name  # the card still loads (sha256 of the weights)
