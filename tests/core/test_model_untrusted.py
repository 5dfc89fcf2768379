"""Model cards and weights as untrusted input: bounded sizes, depth, header first, probe."""

from __future__ import annotations

import json
import struct
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from denoscope.core.checkpoint import file_sha256, load_model, save_model  # noqa: E402
from denoscope.core.errors import ModelFileError  # noqa: E402
from denoscope.core.model_card import ModelCard  # noqa: E402
from denoscope.core.model_safety import json_depth, probe_image  # noqa: E402
from denoscope.core.models import build_model  # noqa: E402
from denoscope.core.models.config import CAEConfig, ResCAEConfig  # noqa: E402


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    config = ResCAEConfig(widths=(4, 4), convs_per_level=1, bottleneck_convs=0)
    torch.manual_seed(0)
    path = tmp_path / "m.safetensors"
    save_model(path, build_model(config), ModelCard(name="t", architecture=config, modality="ct"))
    return path


def _edit_card(path: Path, change) -> None:
    card = path.with_suffix(".json")
    data = json.loads(card.read_text())
    change(data)
    card.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "widths", [[100_000], [4096, 4096, 4096, 4096, 4096], [0, 4], [4, 4, 4, 4, 4, 4]]
)
def test_unbounded_widths_are_refused_by_the_schema(saved: Path, widths) -> None:
    _edit_card(saved, lambda d: d["architecture"].update(widths=widths))
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match="does not follow the schema"):
        load_model(saved)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    "config", [{"arch": "cae", "channels": [64, 100_000]}, {"arch": "dncnn", "width": 10**5}]
)
def test_other_architectures_are_bounded(saved: Path, config) -> None:
    _edit_card(saved, lambda d: d.update(architecture=config))
    with pytest.raises(ModelFileError, match="does not follow the schema"):
        load_model(saved)


def test_deeply_nested_card_is_a_typed_error(saved: Path) -> None:
    card = saved.with_suffix(".json")
    text = card.read_text()
    bomb = "[" * 200_000 + "]" * 200_000
    card.write_text(text.replace('"notes": []', f'"notes": {bomb}'))
    with pytest.raises(ModelFileError, match="nested too deeply"):
        load_model(saved)


def test_oversized_card_is_refused(saved: Path) -> None:
    card = saved.with_suffix(".json")
    data = json.loads(card.read_text())
    data["description"] = "x" * (5 * 1024**2)
    card.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="too large"):
        load_model(saved)


def test_card_architecture_checked_against_header_before_building(saved: Path, monkeypatch):
    """A card asking for a big network over small weights is refused without building it."""
    import denoscope.core.models as models

    built = []
    real = models.build_model
    monkeypatch.setattr(models, "build_model", lambda config: built.append(config) or real(config))
    _edit_card(saved, lambda d: d["architecture"].update(widths=[512, 512, 512, 512, 512]))
    with pytest.raises(ModelFileError, match="do not fit the architecture"):
        load_model(saved)
    # Built only on the meta device (no memory): no real parameter was ever allocated.
    assert len(built) == 1


def test_tampered_weight_with_matching_checksum_fails_the_probe(saved: Path) -> None:
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(saved))
    name = next(n for n in tensors if n.endswith("bias"))
    tensors[name] = torch.full_like(tensors[name], float("nan"))
    save_file(tensors, str(saved), metadata={"format": "pt"})
    _edit_card(saved, lambda d: d.update(weights_sha256=file_sha256(saved)))
    with pytest.raises(ModelFileError, match="probe image is not finite"):
        load_model(saved)


def test_probe_out_of_range_is_refused(tmp_path: Path) -> None:
    """A network whose output leaves [0, 1] (no final sigmoid/clamp) is refused."""
    from safetensors.torch import load_file, save_file

    config = CAEConfig(channels=(2, 2))
    path = tmp_path / "c.safetensors"
    save_model(path, build_model(config), ModelCard(name="c", architecture=config, modality="ct"))
    tensors = load_file(str(path))
    # The CAE ends in a sigmoid: only NaN escapes it. Make the last bias NaN.
    last = sorted(n for n in tensors if n.endswith("bias"))[-1]
    tensors[last] = torch.full_like(tensors[last], float("nan"))
    save_file(tensors, str(path))
    _edit_card(path, lambda d: d.update(weights_sha256=file_sha256(path)))
    with pytest.raises(ModelFileError, match="probe"):
        load_model(path)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: struct.pack("<Q", 2**60) + raw[8:],  # header length past the file
        lambda raw: raw[:8] + raw[8:].replace(b'"data_offsets":[0,', b'"data_offsets":[9,', 1),
        lambda raw: raw[:-16],  # tensors cut short
    ],
    ids=["length", "offsets", "truncated"],
)
def test_malformed_safetensors_header_is_typed(saved: Path, mangle) -> None:
    raw = saved.read_bytes()
    saved.write_bytes(mangle(raw))
    _edit_card(saved, lambda d: d.update(weights_sha256=file_sha256(saved)))
    with pytest.raises(ModelFileError, match="safetensors header"):
        load_model(saved)


def test_json_depth_skips_strings() -> None:
    assert json_depth('{"a": "[[[[", "b": [1, {"c": []}]}') == 4
    assert json_depth('"\\"[["') == 0


def test_shipped_models_pass_the_probe() -> None:
    from denoscope.core.model_registry import shipped_model

    for modality in ("ct", "mri", "xray"):
        try:
            path = shipped_model(modality)
        except Exception:  # noqa: BLE001 - a model not shipped in this checkout
            continue
        assert load_model(path).card.weights_sha256
    image = probe_image()
    assert image.shape == (64, 64) and 0 <= image.min() and image.max() <= 1
