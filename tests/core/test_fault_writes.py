"""Writers on read-only and full disks: typed errors naming the path, old files intact, no debris."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from denoscope.core.errors import OutputWriteError
from denoscope.core.io.outputs import write_bytes, write_text
from denoscope.core.io.series_progress import written_summary
from denoscope.core.io.write import save_png16
from tests.core.faults import FakeFullDisk, full_folder, readonly_folder


def _noisy_image(side: int = 128) -> np.ndarray:
    return np.random.default_rng(0).random((side, side))  # incompressible: a large PNG


class _Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def cli(capsys):
    """Run ``denoscope ARGS`` in this process; return its exit code and output."""
    from denoscope.cli import main

    def run(*args: str) -> _Result:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return _Result(code, out, err)

    return run


def _one_line_error(result: _Result, path: Path) -> None:
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.stderr
    assert str(path) in errors[0] and "Traceback" not in result.stderr


def test_png_into_readonly_folder_is_a_typed_error(tmp_path: Path) -> None:
    with readonly_folder(tmp_path) as folder:
        out = folder / "x.png"
        with pytest.raises(OutputWriteError, match="could not write") as info:
            save_png16(out, _noisy_image())
        assert str(out) in str(info.value)
        assert list(folder.iterdir()) == []


def test_full_disk_leaves_no_truncated_file(tmp_path: Path) -> None:
    with full_folder(tmp_path, size="32k") as folder:
        out = folder / "x.png"
        with pytest.raises(OutputWriteError, match="No space left") as info:
            save_png16(out, _noisy_image())
        assert str(out) in str(info.value)
        assert list(folder.iterdir()) == []  # no truncated target, no temporary file
        save_png16(out, np.zeros((8, 8)))  # a rerun that fits succeeds without --force
        assert out.stat().st_size > 0


def test_force_on_full_disk_keeps_the_old_file(tmp_path: Path) -> None:
    with full_folder(tmp_path, size="32k") as folder:
        out = folder / "x.png"
        save_png16(out, np.zeros((8, 8)))
        before = out.read_bytes()
        with pytest.raises(OutputWriteError):
            save_png16(out, _noisy_image(), overwrite=True)
        assert out.read_bytes() == before
        assert [p.name for p in folder.iterdir()] == ["x.png"]


@pytest.mark.parametrize("overwrite", [False, True])
def test_fake_enospc_mid_file(tmp_path: Path, monkeypatch, overwrite: bool) -> None:
    out = tmp_path / "x.json"
    if overwrite:
        out.write_text("old\n")
    disk = FakeFullDisk(tmp_path, budget=100)
    disk.install(monkeypatch)
    with pytest.raises(OutputWriteError, match="No space left") as info:
        write_text(out, "x" * 10_000, overwrite=overwrite)
    monkeypatch.undo()
    assert disk.failures == 1 and str(out) in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == (["x.json"] if overwrite else [])
    if overwrite:
        assert out.read_text() == "old\n"


def test_model_save_on_full_disk_keeps_the_old_model(tmp_path: Path, monkeypatch) -> None:
    torch = pytest.importorskip("torch")
    from denoscope.core.checkpoint import load_model, save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import build_model
    from denoscope.core.models.config import CAEConfig

    config = CAEConfig(channels=(2, 2))
    torch.manual_seed(0)
    card = ModelCard(name="t", architecture=config, modality="ct")
    path = tmp_path / "m.safetensors"
    save_model(path, build_model(config), card)
    before = (path.read_bytes(), path.with_suffix(".json").read_bytes())
    FakeFullDisk(tmp_path, budget=200).install(monkeypatch)
    with pytest.raises(OutputWriteError):
        save_model(path, build_model(config), card)
    monkeypatch.undo()
    assert (path.read_bytes(), path.with_suffix(".json").read_bytes()) == before
    assert load_model(path).card.weights_sha256 is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.safetensors"]


def test_write_bytes_refuses_existing_without_overwrite(tmp_path: Path) -> None:
    from denoscope.core.errors import OutputExistsError

    out = tmp_path / "a.bin"
    write_bytes(out, b"1", overwrite=False)
    with pytest.raises(OutputExistsError):
        write_bytes(out, b"2", overwrite=False)
    assert out.read_bytes() == b"1"


def _png_input(tmp_path: Path) -> Path:
    from PIL import Image

    path = tmp_path / "in.png"
    Image.fromarray((np.random.default_rng(1).random((64, 64)) * 255).astype(np.uint8)).save(path)
    return path


def test_cli_noise_into_readonly_folder(tmp_path: Path, cli) -> None:
    source = _png_input(tmp_path)
    with readonly_folder(tmp_path) as folder:
        out = folder / "n.png"
        result = cli("noise", str(source), "--level", "0.1", "-o", str(out))
        _one_line_error(result, out)


def test_cli_denoise_into_readonly_folder(tmp_path: Path, cli) -> None:
    source = _png_input(tmp_path)
    with readonly_folder(tmp_path) as folder:
        out = folder / "sub"
        result = cli("denoise", str(source), "--modality", "ct", "-o", str(out))
        _one_line_error(result, out)


def test_cli_denoise_output_with_unknown_suffix_is_refused(tmp_path: Path, cli) -> None:
    source = _png_input(tmp_path)
    out = tmp_path / "x.jpg"
    result = cli("denoise", str(source), "--modality", "ct", "-o", str(out))
    _one_line_error(result, out)
    assert not out.exists()


def test_series_interrupted_then_resumed(tmp_path: Path, cli, monkeypatch) -> None:
    """A denoise series that fails midway says which slices exist; --resume completes it."""
    from PIL import Image

    import denoscope.core.io.write as writer
    from denoscope.core.io import load_study

    folder = tmp_path / "pngs"
    folder.mkdir()
    rng = np.random.default_rng(3)
    for i in range(4):
        Image.fromarray((rng.random((48, 48)) * 255).astype(np.uint8)).save(folder / f"{i}.png")
    out = tmp_path / "out"
    real = writer.write_bytes
    calls: list[Path] = []

    def disk_full_at_third(path, data, *, overwrite):
        calls.append(path)
        if len(calls) == 3:
            raise OutputWriteError("could not write the file", path=path, got="No space left")
        return real(path, data, overwrite=overwrite)

    monkeypatch.setattr(writer, "write_bytes", disk_full_at_third)
    args = ("denoise", str(folder), "--modality", "ct", "-o", str(out))
    first = cli(*args)
    monkeypatch.undo()
    assert first.returncode == 2, first.stderr
    assert "2 of 4 slice file(s) exist" in first.stderr, first.stderr
    assert "(slices 1-2)" in first.stderr and "--resume" in first.stderr
    assert len(list(out.iterdir())) == 2
    again = cli(*args)
    assert again.returncode == 2 and "already exists" in again.stderr  # no silent overwrite
    resumed = cli(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "keeps 2 complete slice file(s)" in resumed.stderr
    assert load_study(out).n_frames == 4


def test_written_summary_names_slices(tmp_path: Path) -> None:
    outputs = [tmp_path / f"o_{i}.png" for i in range(1, 8)]
    text = written_summary(outputs, [outputs[0], outputs[1], outputs[2], outputs[5]])
    assert text.startswith("4 of 7 slice file(s) exist in")
    assert "(slices 1-3, 6)" in text and "--resume to write the other 3" in text
