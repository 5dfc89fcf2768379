"""The viewer end to end with pytest-qt (offscreen): open, change, drop, export, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from denoscope.app import pipeline
from denoscope.core.resources import sample_path


def _drop(win, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    win.dropEvent(event)


def test_open_sample_shows_panes_and_metrics(window, open_study, settle, tiny_model):
    open_study(window, sample_path("ct"))
    settle(window)
    state, panes = window.state, window.panes
    assert state.study.study.modality == "ct"
    for key in ("noisy", "denoised", "truth", "difference"):
        assert panes.data[key] is not None, key
        assert panes.data[key].shape == (128, 128)
    # Truth pane shows the frame in HU; the shared window gives the same levels everywhere.
    np.testing.assert_array_equal(panes.data["truth"], state.study.study.frames[0])
    levels = [tuple(panes.items[k].levels) for k in ("noisy", "denoised", "truth")]
    assert levels[0] == levels[1] == levels[2]
    labels = [row["label"] for row in window.metrics.rows]
    assert labels[:3] == ["Noisy vs truth", "Denoised vs truth", "Median vs truth"]
    assert any(label.startswith("Δ denoised") for label in labels)
    assert float(window.metrics.text(0, 0)) == pytest.approx(
        state.result.metrics["noisy"]["psnr"], abs=0.01
    )
    assert state.result.model_name == "tiny test res-cae"
    assert state.result.device == "cpu"
    assert "cpu" in window.status_inference.text()


def test_lpips_arrives_after_the_other_metrics(window, open_study, settle, qtbot):
    from denoscope.core.metrics import lpips_status

    open_study(window, sample_path("ct"))
    settle(window)
    from denoscope.core.metrics.table import METRIC_KEYS

    lpips_column = METRIC_KEYS.index("lpips")
    if lpips_status()[0]:
        assert set(window.state.lpips) == {"noisy", "denoised", "baseline"}
        assert float(window.metrics.text(0, lpips_column)) >= 0.0
    else:
        assert window.metrics.text(0, lpips_column) == "—"


def test_level_change_updates_denoised_and_metrics(window, open_study, settle, qtbot):
    open_study(window, sample_path("ct"))
    settle(window)
    before = window.state.result
    before_denoised = window.panes.data["denoised"].copy()
    before_psnr = window.metrics.text(0, 0)
    with qtbot.waitSignal(window.state.resultChanged, timeout=30000):
        window.controls.set_level_position(900)
    after = window.state.result
    assert after.params.level > before.params.level
    assert not np.array_equal(window.panes.data["denoised"], before_denoised)
    assert window.metrics.text(0, 0) != before_psnr
    from denoscope.core.noise import NOISE_MODELS

    noisier = NOISE_MODELS[after.params.noise].higher_is_noisier  # dose: higher is cleaner
    assert (after.metrics["noisy"]["psnr"] < before.metrics["noisy"]["psnr"]) == noisier


def test_rapid_changes_end_with_the_final_parameters(window, open_study, settle):
    open_study(window, sample_path("ct"))
    settle(window)
    for position in range(1000, 700, -1):  # 300 changes without waiting
        window.controls.set_level_position(position)
    window.controls.seed.setValue(7)
    settle(window, timeout=60000)
    state = window.state
    final = state.params
    assert final.seed == 7
    assert state.result.params == final
    truth01 = state.study.normalization.to_unit(state.study.study.frames[0])
    expected = pipeline.noisy_slice(truth01, final, 0, pixel_size=state.study.pixel_size_mm)
    np.testing.assert_allclose(state.result.noisy01, expected)
    np.testing.assert_allclose(
        window.panes.data["noisy"], state.study.normalization.from_unit(expected), rtol=1e-6
    )


def test_drop_opens_a_file(window, qtbot):
    with qtbot.waitSignal(window.state.studyChanged, timeout=30000):
        _drop(window, sample_path("mri"))
    assert window.state.study.study.modality == "mri"
    assert window.state.params.modality == "mri"


def test_bad_file_dropped_shows_a_message_and_stays_responsive(window, tmp_path, qtbot, open_study):
    bad = tmp_path / "broken.dcm"
    bad.write_bytes(b"DICM? not really" * 10)
    with qtbot.waitSignal(window.state.message, timeout=30000) as blocker:
        _drop(window, bad)
    kind, text = blocker.args
    assert kind == "error"
    assert "broken.dcm" in text
    assert window.banner.isVisible() and "Error" in window.banner.text()
    assert window.isVisible()
    # Still usable: a good study opens afterwards.
    open_study(window, sample_path("ct"))
    assert window.state.study.study.modality == "ct"


def test_export_writes_png_and_json_with_provenance_and_no_patient_name(
    window, open_study, settle, tmp_path
):
    from denoscope.core.errors import OutputExistsError

    open_study(window, sample_path("ct"), noise="poisson", level=250.0, seed=3)
    settle(window)
    window.state.set_window(40.0, 400.0)
    png, side = window.exports.export_comparison(tmp_path / "cmp.png")
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    record = json.loads(side.read_text(encoding="utf-8"))
    assert record["noise"] == {
        "model": "poisson",
        "label": "Poisson",
        "level": 250.0,
        "unit": "photons at full scale",
        "seed": 3,
    }
    assert record["model"]["name"] == "tiny test res-cae"
    assert record["model"]["file"] == "tiny-ct.safetensors"
    assert record["window"] == {"center": 40.0, "width": 400.0, "unit": "HU"}
    assert record["device"]["used"] == "cpu"
    assert record["study"]["slice"] == 0
    assert record["identifying_information_included"] is False
    assert [row["row"] for row in record["metrics"]][:3] == ["noisy", "denoised", "baseline"]
    text = side.read_text(encoding="utf-8")
    for secret in ("CompressedSamples", "1CT1", "CT_small"):
        assert secret not in text
    from denoscope.app.export import caption_lines

    assert not any("CompressedSamples" in line for line in caption_lines(record))
    # Never overwritten without asking.
    assert window.exports.export_comparison(tmp_path / "cmp.png") is None
    assert "exists" in window.state.last_error
    with pytest.raises(OutputExistsError):
        from denoscope.app.export import export_comparison

        export_comparison(window.state, window.panes, tmp_path / "cmp.png")


def test_export_can_include_identifying_text_when_asked(window, open_study, settle, tmp_path):
    open_study(window, sample_path("ct"))
    settle(window)
    window.exports.include_identifying.setChecked(True)
    _png, side = window.exports.export_comparison(tmp_path / "named.png")
    record = json.loads(side.read_text(encoding="utf-8"))
    assert record["identifying_information_included"] is True
    assert "CompressedSamples^CT1" in json.dumps(record)


def test_metrics_csv(window, open_study, settle, tmp_path):
    from denoscope.app.export import export_metrics_csv

    open_study(window, sample_path("ct"))
    settle(window)
    out = export_metrics_csv(window.state, tmp_path / "m.csv")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("slice,row,label,psnr,ssim")
    assert any(line.startswith("0,denoised,") for line in lines)


def test_real_input_mode_shows_residual_and_sigma(window, open_study, settle, qtbot):
    open_study(window, sample_path("xray"))
    settle(window)
    with qtbot.waitSignal(window.state.resultChanged, timeout=30000):
        window.controls.real_input.setChecked(True)
    result = window.state.result
    assert result.truth01 is None
    assert set(result.sigma) == {"input", "denoised", "residual std"}
    assert window.panes.titles["noisy"].text == "Input"
    expected = window.panes.data["noisy"] - window.panes.data["denoised"]
    np.testing.assert_allclose(window.panes.data["difference"], expected)
    assert window.metrics.table.columnCount() == 1


def test_difference_modes(window, open_study, settle):
    open_study(window, sample_path("ct"))
    settle(window)
    panes = window.panes
    noisy, denoised, truth = (panes.data[k] for k in ("noisy", "denoised", "truth"))
    np.testing.assert_allclose(panes.data["difference"], np.abs(denoised - truth))
    window.state.set_diff_mode("noisy-truth")
    np.testing.assert_allclose(panes.data["difference"], np.abs(noisy - truth))
    window.state.set_diff_mode("residual")
    np.testing.assert_allclose(panes.data["difference"], noisy - denoised)
    assert window.controls.diff_mode.currentData() == "residual"


def test_window_presets_and_pixel_readout(window, open_study, settle):
    open_study(window, sample_path("ct"))
    settle(window)
    assert window.window_controls.apply_preset("Lung")
    assert window.state.window == (-600.0, 1500.0)
    assert tuple(window.panes.items["truth"].levels) == (-1350.0, 150.0)
    window.window_controls.reset_window()
    assert window.state.window == tuple(window.state.study.study.window)
    window.panes.show_values(10, 20)
    frame = window.state.study.study.frames[0]
    assert window.panes.values["truth"].text == f"(10, 20): {frame[10, 20]:.1f} HU"


def test_tag_browser_hides_identifying_values_and_searches(window, open_study, settle):
    open_study(window, sample_path("ct"))
    settle(window)
    tags = window.tags
    shown = " ".join(" ".join(row) for row in tags.visible_rows())
    assert "CompressedSamples" not in shown
    tags.search.setText("Rows")
    rows = tags.visible_rows()
    assert rows and all("rows" in " ".join(r).lower() for r in rows)
    tags.search.clear()
    tags.show_identifying.setChecked(True)
    shown = " ".join(" ".join(row) for row in tags.visible_rows())
    assert "CompressedSamples^CT1" in shown


def test_recent_files_use_the_temporary_settings(window, open_study, settings):
    open_study(window, sample_path("ct"))
    assert settings.recent()[0] == sample_path("ct").resolve()


def test_window_follows_the_histogram_band_and_mouse_drag(window, open_study, settle):
    open_study(window, sample_path("ct"))
    settle(window)
    controls = window.window_controls
    controls.region.setRegion((-160.0, 240.0))  # emits sigRegionChangeFinished
    assert window.state.window == (40.0, 400.0)
    assert tuple(window.panes.items["denoised"].levels) == (-160.0, 240.0)
    window.panes._on_window_drag(10.0, 0.0, True)  # drag right: wider window
    assert window.state.window[1] > 400.0
    assert controls.region.getRegion()[1] - controls.region.getRegion()[0] == pytest.approx(
        window.state.window[1]
    )


def test_missing_model_is_said_once_and_the_rest_still_works(
    window, open_study, settle, qtbot, tmp_path
):
    window.state.set_params(model_path=tmp_path / "gone.safetensors")
    messages = []
    window.state.message.connect(lambda kind, text: messages.append((kind, text)))
    open_study(window, sample_path("xray"))
    settle(window)
    assert window.state.result.denoised01 is None
    assert "noisy" in window.state.result.metrics
    with qtbot.waitSignal(window.state.resultChanged, timeout=30000):
        window.controls.set_level_position(500)
    settle(window)
    warnings = [text for kind, text in messages if kind == "warning" and "model" in text]
    assert len(warnings) == 1


def test_dropping_several_files_opens_exactly_those(window, tmp_path, qtbot):
    import shutil

    for name in ("a.png", "b.png", "c.png"):  # c.png is in the folder but not dropped
        shutil.copy(sample_path("mri-brain"), tmp_path / name)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / n)) for n in ("a.png", "b.png")])
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.state.studyChanged, timeout=30000):
        window.dropEvent(event)
    assert window.state.study.path == tmp_path
    assert window.state.n_slices() == 2


def test_layout_and_device_are_restored_from_settings(qtbot, settings, tmp_path):
    from denoscope.app.main_window import MainWindow

    first = MainWindow(settings, series_metrics=False)
    qtbot.addWidget(first)
    first.show()
    first.docks["tags"].hide()
    first.state.set_params(device="cpu")
    first.close()
    settings.sync()
    second = MainWindow(settings, series_metrics=False)
    qtbot.addWidget(second)
    second.show()
    assert second.state.params.device == "cpu"
    assert not second.docks["tags"].isVisible()
    second.close()


def test_shortcuts_are_listed(window):
    text = window.shortcuts_text()
    for expected in ("Ctrl+E", "Next slice", "Reset window", "Preset 4", "window/level"):
        assert expected in text


def test_export_in_real_input_mode(window, open_study, settle, qtbot, tmp_path):
    open_study(window, sample_path("xray"))
    settle(window)
    with qtbot.waitSignal(window.state.resultChanged, timeout=30000):
        window.controls.real_input.setChecked(True)
    settle(window)
    _png, side = window.exports.export_comparison(tmp_path / "real.png")
    record = json.loads(side.read_text(encoding="utf-8"))
    assert record["real_input"] is True and record["noise"] is None
    assert record["metrics"] == []
    assert set(record["no_reference"]) == {"input", "denoised", "residual std"}
    assert record["difference"] == "residual noisy − denoised"
