"""Corpus building: radiograph physics, split rules, manifest, build with stand-in sources."""

from __future__ import annotations

import json

import numpy as np
import pytest

from denoscope.core.corpus import recipes
from denoscope.core.corpus.build import build_corpus, keep_slices, radiograph_tiles
from denoscope.core.corpus.drr import (
    MU_WATER_PER_MM,
    DRRParams,
    attenuation,
    line_integrals,
    noisy_line_integrals,
    random_params,
)
from denoscope.core.corpus.manifest import load_manifest
from denoscope.core.corpus.sources import SourceUnavailable, SourceVolume, pydicom_series
from denoscope.core.corpus.splits import assign_group_splits, check_splits, hash_split
from denoscope.core.corpus.synthetic import write_synthetic_corpus
from denoscope.core.errors import DenoscopeError

FRONTAL = DRRParams(angle_deg=0.0, bone_weight=1.0, crop=(0, 0, 0, 0), i0=1e4, read_sigma=0.0)


def test_attenuation_follows_hounsfield_definition():
    mu = attenuation(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(mu, [0.0, MU_WATER_PER_MM, 2 * MU_WATER_PER_MM], rtol=1e-6)
    assert attenuation(np.array([1000.0]), bone_weight=1.5)[0] == pytest.approx(3 * MU_WATER_PER_MM)
    # soft tissue below 150 HU is not bone-weighted
    assert attenuation(np.array([100.0]), bone_weight=2.0)[0] == pytest.approx(
        1.1 * MU_WATER_PER_MM
    )


def test_line_integral_of_water_slab_is_mu_times_thickness():
    vol = np.full((4, 40, 40), -1000.0, np.float32)
    vol[:, 10:30, 5:35] = 0.0  # 20 mm of water along y (the beam), 30 mm wide
    p = line_integrals(vol, (1.0, 1.0, 1.0), FRONTAL)
    assert p.shape == (4, 40)
    np.testing.assert_allclose(p[:, 20], 20 * MU_WATER_PER_MM, rtol=1e-5)
    assert p[:, 0].max() == 0.0
    lateral = line_integrals(
        vol, (1.0, 1.0, 1.0), FRONTAL.__class__(**{**FRONTAL.as_dict(), "angle_deg": 90.0})
    )
    # seen from the side, the beam crosses 30 mm of water
    assert lateral[:, 20].mean() == pytest.approx(30 * MU_WATER_PER_MM, rel=0.05)


def test_detector_noise_is_unbiased_and_grows_at_low_dose():
    rng = np.random.default_rng(0)
    p = np.full((64, 64), 1.0, np.float32)
    high = noisy_line_integrals(p, i0=1e5, read_sigma=0.0, rng=rng)
    low = noisy_line_integrals(p, i0=1e2, read_sigma=2.0, rng=rng)
    assert abs(float(high.mean()) - 1.0) < 0.01
    assert low.std() > 5 * high.std()


def test_random_params_ranges():
    rng = np.random.default_rng(1)
    for _ in range(20):
        params = random_params(rng)
        assert -25 <= params.angle_deg <= 25 or 75 <= params.angle_deg <= 105
        assert 1.0 <= params.bone_weight <= 2.0
        assert all(0 <= c <= 0.15 for c in params.crop)


def test_check_splits_rejects_leaks_and_empty_splits():
    check_splits([("a", "a", "train"), ("b", "b", "test")], modality="ct")
    with pytest.raises(DenoscopeError, match="several splits"):
        check_splits([("a1", "a", "train"), ("a2", "a", "test")], modality="ct")
    with pytest.raises(DenoscopeError, match="empty test"):
        check_splits([("a", "a", "train")], modality="ct")
    with pytest.raises(DenoscopeError, match="twice"):
        check_splits([("a", "a", "train"), ("a", "a", "test")], modality="ct")


def test_group_splits_are_stable_and_cover_all_splits():
    keys = [f"series-{i}" for i in range(6)]
    first = assign_group_splits(keys)
    assert first == assign_group_splits(list(reversed(keys)))
    assert set(first.values()) == {"train", "val", "test"}
    assert hash_split("x") == hash_split("x")
    assert set(assign_group_splits(["a", "b"]).values()) == {"train", "test"}


def test_recipes_hold_whole_real_test_volumes_out_of_training():
    for sources in (recipes.MRI, recipes.CT, recipes.XRAY_REAL):
        assert any(s.split == "test" for s in sources)
    train_ct = {s.name for s in recipes.CT if s.split == "train"}
    assert "pyradiomics lung2" not in train_ct
    drr_splits = {s.name: s.split for s, _ in recipes.XRAY_DRR}
    assert drr_splits["DRR of pyradiomics lung2"] == "test"  # same patient as the CT test volume


def test_keep_slices_and_radiograph_tiles():
    stack = np.zeros((3, 32, 32), np.float32)
    stack[1, 8:24, 8:24] = 0.8
    stack[2] = np.linspace(0, 1, 32)[None]
    assert keep_slices(stack).tolist() == [1, 2]
    radiograph = np.tile(np.linspace(0.1, 0.9, 1024, dtype=np.float32), (1024, 1))
    tiles = radiograph_tiles(radiograph, tile=128, factor=2)
    assert tiles.shape == (16, 128, 128) and tiles.dtype == np.float32


def _fake_ct(key, spacing=(2.0, 1.0, 1.0)):
    def load(downloads):
        rng = np.random.default_rng(len(key))
        vol = np.full((6, 48, 48), -1024.0, np.float32)
        vol[:, 8:40, 8:40] = rng.normal(40, 10, size=(6, 32, 32))
        vol[:, 20:26, 20:26] = 900.0
        return [SourceVolume(key, vol, f"fake:{key}", "test", spacing_zyx=spacing)]

    return load


def _unavailable(downloads):
    raise SourceUnavailable("not here")


def test_build_ct_and_xray_with_stand_in_sources(tmp_path, monkeypatch):
    monkeypatch.setattr(
        recipes,
        "CT",
        (
            recipes.Source("a", _fake_ct("vol-a"), "train"),
            recipes.Source("b", _fake_ct("vol-b"), "val"),
            recipes.Source("c", _fake_ct("vol-c"), "test"),
            recipes.Source("gone", _unavailable, "train"),
        ),
    )
    manifest = build_corpus("ct", cache_dir=tmp_path, progress=lambda s: None)
    assert [v.split for v in manifest.volumes] == ["train", "val", "test"]
    assert manifest.skipped and "gone" in manifest.skipped[0]
    stack = np.load(tmp_path / "ct" / manifest.volumes[0].file)
    assert stack.dtype == np.float32 and stack.shape == (6, 48, 48)
    assert 0.0 <= stack.min() and stack.max() <= 1.0
    assert manifest.volumes[0].normalization["kind"] == "fixed"
    assert (tmp_path / "ct" / "manifest.csv").read_text().count("\n") == 4
    # a second build reuses the files
    assert build_corpus("ct", cache_dir=tmp_path, progress=lambda s: None) == manifest

    monkeypatch.setattr(
        recipes,
        "XRAY_DRR",
        (
            (recipes.Source("drr a", _fake_ct("vol-a"), "train"), 3),
            (recipes.Source("drr c", _fake_ct("vol-c"), "test"), 2),
        ),
    )
    monkeypatch.setattr(recipes, "XRAY_REAL", ())
    xray = build_corpus("xray", cache_dir=tmp_path, progress=lambda s: None)
    assert [v.group for v in xray.volumes] == ["vol-a"] * 3 + ["vol-c"] * 2
    assert not any(v.real for v in xray.volumes)
    assert all(v.split == "test" for v in xray.volumes if v.group == "vol-c")
    drr = np.load(tmp_path / "xray" / xray.volumes[0].file)
    assert drr.shape[0] == 1 and drr.max() <= 1.0


def test_cli_build_prints_split_summary(tmp_path, monkeypatch, capsys):
    from denoscope.cli import main
    from denoscope.core.cli import corpus as corpus_cli

    # fake sources below: the optional corpus packages (a separate extra) are not needed
    monkeypatch.setattr(corpus_cli, "missing_corpus_packages", lambda: [])

    monkeypatch.setattr(
        recipes,
        "CT",
        (
            recipes.Source("a", _fake_ct("vol-a"), "train"),
            recipes.Source("c", _fake_ct("vol-c"), "test"),
        ),
    )
    assert main(["corpus", "build", "--modality", "ct", "--cache", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (
        "ct: train: 1 volumes / 6 slices; val: 0 volumes / 0 slices; test: 1 volumes / 6 slices"
        in out
    )


def test_build_refuses_unknown_modality(tmp_path):
    with pytest.raises(DenoscopeError, match="modality"):
        build_corpus("pet", cache_dir=tmp_path)


def test_pydicom_source_reads_real_ct_offline():
    (vol,) = pydicom_series("ct-small", "CT_small.dcm")(None)
    assert vol.frames.shape == (1, 128, 128)
    assert vol.frames.min() < -500  # Hounsfield units, not stored values


def test_manifest_round_trip_and_cli_show(tmp_path, capsys, monkeypatch):
    from denoscope.cli import main

    written = write_synthetic_corpus(tmp_path / "mri", "mri")
    assert load_manifest(tmp_path / "mri") == written
    assert json.loads((tmp_path / "mri" / "manifest.json").read_text())["modality"] == "mri"
    assert main(["corpus", "show", "--modality", "mri", "--cache", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "phantom-test-0" in out and "train: 2 volumes / 6 slices" in out
    with pytest.raises(DenoscopeError, match="no corpus manifest"):
        load_manifest(tmp_path / "missing")
