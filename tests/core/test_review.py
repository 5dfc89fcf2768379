"""The one review pipeline: the normalisation rule, model choice, and CLI/viewer parity."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from denoscope.cli import main
from denoscope.core.checkpoint import save_model
from denoscope.core.intensity import CT_RANGE_HU
from denoscope.core.io import load_study
from denoscope.core.modality import Modality
from denoscope.core.model_card import ModelCard
from denoscope.core.models import ResCAEConfig, build_model
from denoscope.core.resources import sample_path
from denoscope.core.review import (
    ReviewParams,
    comparable,
    mismatch_note,
    noise_level_map,
    normalization_for_model,
    open_study,
    prepare_study,
    provenance,
    review_slice,
)

torch.set_num_threads(1)


def _save(path, *, modality="ct", normalization=None):
    torch.manual_seed(0)
    config = ResCAEConfig(widths=(4, 8), convs_per_level=1, bottleneck_convs=1)
    card = ModelCard(
        name=f"tiny {modality}",
        architecture=config,
        modality=modality,
        normalization=normalization,
    )
    save_model(path, build_model(config), card)
    return path


@pytest.fixture(scope="module")
def ct_model(tmp_path_factory):
    fixed = {"kind": "fixed", "low": -1024.0, "high": 3071.0, "modality": "ct"}
    return _save(tmp_path_factory.mktemp("m") / "ct.safetensors", normalization=fixed)


def test_a_ct_card_never_imposes_its_hu_window_on_a_png(ct_model):
    """The issue's case: the CT model on the MNI PNG saturated 43 % of the pixels."""
    from denoscope.core.checkpoint import load_card

    review = open_study(sample_path("mri-brain"))
    card = load_card(ct_model)
    norm = normalization_for_model(review, card)
    assert norm.kind == "percentile"
    unit = norm.to_unit(review.study.frames[0])
    assert np.mean(unit >= 1.0) < 0.01
    # ...and the reader is told, although the study's modality is unknown.
    note = mismatch_note(review, card, "tiny ct")
    assert note is not None and "CT" in note and "unknown" in note


def test_ct_dicom_uses_the_fixed_window_and_a_ct_cards_own_window(ct_model, tmp_path):
    from denoscope.core.checkpoint import load_card

    review = open_study(sample_path("ct"))
    assert review.modality == Modality.CT and review.unit == "HU"
    assert (review.normalization.low, review.normalization.high) == CT_RANGE_HU
    narrow = {"kind": "fixed", "low": -200.0, "high": 400.0, "modality": "ct"}
    card = load_card(_save(tmp_path / "narrow.safetensors", normalization=narrow))
    assert (
        normalization_for_model(review, card).low,
        normalization_for_model(review, card).high,
    ) == (
        -200.0,
        400.0,
    )
    mri_card = load_card(_save(tmp_path / "mri.safetensors", modality="mri"))
    assert normalization_for_model(review, mri_card) == review.normalization
    assert "trained for MRI" in mismatch_note(review, mri_card, "m")


def test_declared_modality_without_hounsfield_units_uses_percentiles(ct_model):
    study = load_study(sample_path("mri-brain"))
    review = prepare_study(study, modality="ct")
    assert review.modality == Modality.CT and review.unit == "a.u."
    assert review.normalization.kind == "percentile"
    result = review_slice(review, 0, ReviewParams(model_path=ct_model, device="cpu", baseline=None))
    assert any("not in those units" in note for note in result.notes)  # the reader is told


def test_cli_and_viewer_give_identical_arrays_and_provenance(ct_model, tmp_path):
    from denoscope.app import pipeline

    source = sample_path("ct")
    png, record_path = tmp_path / "out.png", tmp_path / "out.json"
    args = ["denoise", str(source), "-o", str(png), "--model", str(ct_model), "--device", "cpu"]
    assert main([*args, "--json", str(record_path), "--strength", "0.7"]) == 0
    cli_record = json.loads(record_path.read_text())["slices"][0]

    loaded = pipeline.load(source)
    params = ReviewParams(
        modality="ct",
        model_path=ct_model,
        device="cpu",
        baseline=None,
        real_input=True,
        strength=0.7,
    )
    result = pipeline.process(loaded, 0, params)
    written = np.asarray(Image.open(png)).astype(np.int64)
    expected = np.rint(result.denoised01.astype(np.float64) * 65535).astype(np.int64)
    np.testing.assert_array_equal(written, expected)
    viewer_record = json.loads(json.dumps(provenance(loaded, result)))
    assert comparable(cli_record) == comparable(viewer_record)
    assert cli_record["strength"] == 0.7
    assert "patient" not in cli_record and not cli_record["identifying_information_included"]


def test_review_slice_is_seeded_per_slice_and_records_the_baseline_sigma(ct_model):
    review = open_study(sample_path("ct"))
    params = ReviewParams(model_path=ct_model, device="cpu", noise="gaussian", level=0.05)
    a, b = review_slice(review, 0, params), review_slice(review, 0, params)
    np.testing.assert_array_equal(a.noisy01, b.noisy01)
    assert a.baseline_sigma == 0.05  # the true level of synthetic Gaussian noise
    assert set(a.metrics) == {"noisy", "denoised", "baseline"}


def test_missing_model_is_a_note_not_an_error(tmp_path):
    review = open_study(sample_path("ct"))
    params = ReviewParams(model_path=tmp_path / "none.safetensors", device="cpu")
    result = review_slice(review, 0, params)
    assert result.denoised01 is None
    assert any("No denoised image" in note for note in result.notes)


def test_noise_level_map_scales_with_strength():
    class LevelAware:
        noise_level_input = True

    class Blind:
        pass

    truth = np.full((16, 16), 0.5, np.float32)
    noisy = truth + 0.01
    params = ReviewParams(noise="gaussian", level=0.1, strength=0.5)
    level = noise_level_map(LevelAware(), params, noisy, truth)
    np.testing.assert_allclose(level, 0.05, rtol=1e-6)
    assert noise_level_map(Blind(), params, noisy, truth) is None


def test_models_are_loaded_once_and_reloaded_when_the_file_changes(tmp_path):
    import os

    from denoscope.core.review import load_model_cached, model_path_for

    path = _save(tmp_path / "m.safetensors")
    assert model_path_for("unknown", path) == path
    first = load_model_cached(path)
    assert load_model_cached(path) is first
    _save(path)  # rewritten: a new file on disk
    os.utime(path, (1, 1))
    assert load_model_cached(path) is not first


def test_unknown_modality_without_a_model_file_says_what_to_do():
    from denoscope.core.errors import ParameterError
    from denoscope.core.review import model_path_for

    with pytest.raises(ParameterError, match="--modality"):
        model_path_for("unknown")


def test_provenance_states_the_change_limit_of_a_noise_map_model(tmp_path):
    """A network given a noise map is limited to CHANGE_LIMIT x its level; the record says so."""
    from denoscope.core.inference import CHANGE_LIMIT

    torch.manual_seed(0)
    config = ResCAEConfig(
        widths=(4, 8), bottleneck_convs=1, noise_level_input=True, upsampling="resize"
    )
    path = tmp_path / "v2.safetensors"
    save_model(
        path, build_model(config), ModelCard(name="tiny v2", architecture=config, modality="ct")
    )
    review = open_study(sample_path("ct"))
    params = ReviewParams(model_path=path, device="cpu", noise="gaussian", level=0.02)
    result = review_slice(review, 0, params)
    record = provenance(review, result)
    assert record["model"]["change_limit_sigmas"] == CHANGE_LIMIT
    change = np.abs(result.denoised01 - result.noisy01)
    assert float(change.max()) <= CHANGE_LIMIT * 0.02 + 1e-6
    blind = provenance(
        review,
        review_slice(
            review,
            0,
            ReviewParams(
                model_path=_save(tmp_path / "b.safetensors"),
                device="cpu",
                noise="gaussian",
                level=0.02,
            ),
        ),
    )
    assert blind["model"]["change_limit_sigmas"] is None
