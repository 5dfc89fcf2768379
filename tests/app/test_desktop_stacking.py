"""Stacks in the viewer (picker, drop, --stack, provenance) and colour / modality warnings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image

from tests.core.io_helpers import sample_file


def _series_folder(folder: Path, n: int = 3) -> list[Path]:
    """``n`` copies of CT_small, each its own one-frame series, in reverse file order."""
    folder.mkdir(exist_ok=True)
    files = []
    for index in range(n):
        ds = pydicom.dcmread(sample_file("CT_small.dcm"))
        position = [float(v) for v in ds.ImagePositionPatient]
        ds.ImagePositionPatient = [position[0], position[1], 10.0 * (n - index)]
        ds.SeriesInstanceUID = pydicom.uid.generate_uid()
        ds.SOPInstanceUID = pydicom.uid.generate_uid()
        path = folder / f"slice{index}.dcm"
        ds.save_as(path)
        files.append(path)
    return files


def test_a_folder_of_single_frame_series_opens_as_one_stack(window, open_study, tmp_path) -> None:
    from denoscope.app.export import caption_lines, provenance

    _series_folder(tmp_path / "s", 3)
    open_study(window, tmp_path / "s")
    study = window.state.study.study
    assert study.frames.shape[0] == 3 and len(study.stacked_from) == 3
    picker = window.series_bar.series
    entries = [picker.itemText(i) for i in range(picker.count())]
    assert picker.count() == 4
    assert picker.currentText().startswith("Stack of these 3 single-frame series")
    assert window.series_bar.slider.isEnabled()
    assert "stacked by position along the slice normal" in window.banner.text()
    record = provenance(window.state)
    assert len(record["study"]["stacked_from_series"]) == 3
    assert any(line.startswith("Stack of 3 single-frame series") for line in caption_lines(record))
    assert sum("1 frames" in entry for entry in entries) == 3


def test_dropping_two_files_opens_exactly_those(window, qtbot, tmp_path) -> None:
    files = _series_folder(tmp_path / "s", 4)
    with qtbot.waitSignal(window.controller.settled, timeout=30000):
        window.open_files([files[0], files[2]])
    qtbot.waitUntil(lambda: window.state.result is not None, timeout=30000)
    assert window.state.study.study.frames.shape[0] == 2  # not the folder's 4


def test_stack_option_picks_the_stack_or_says_why_not(tmp_path) -> None:
    from denoscope.app.cli import _stack_key
    from denoscope.core.errors import ParameterError

    _series_folder(tmp_path / "s", 2)
    assert _stack_key(tmp_path / "s").startswith("stack:")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParameterError, match="nothing to stack"):
        _stack_key(tmp_path / "empty")


def test_colour_png_is_converted_with_a_note_and_a_modality_warning(
    window, open_study, tmp_path
) -> None:
    from denoscope.app.export import caption_lines, provenance

    rng = np.random.default_rng(0)
    rgb = (rng.random((64, 64, 3)) * 255).astype(np.uint8)
    Image.fromarray(rgb, "RGB").save(tmp_path / "colour.png")
    open_study(window, tmp_path / "colour.png")
    notes = window.state.study.study.notes
    assert any("RGB" in note and "0.299 R + 0.587 G + 0.114 B" in note for note in notes)
    assert window.state.result.modality_warning  # a CT model on a study of unknown modality
    assert "⚠" in window.panes.title_text("denoised")
    record = provenance(window.state)
    assert record["modality_warning"] and record["study"]["loading_notes"]
    assert any(line.startswith("⚠ ") for line in caption_lines(record))
