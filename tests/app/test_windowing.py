"""Named window presets, percentile presets, the preset in use, keys (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from denoscope.core.resources import sample_path

CT_PRESETS = {
    "Brain": (40.0, 80.0),
    "Subdural": (75.0, 215.0),
    "Stroke": (40.0, 40.0),
    "Temporal bone": (600.0, 2800.0),
    "Lung": (-600.0, 1500.0),
    "Mediastinum": (50.0, 350.0),
    "Abdomen": (50.0, 400.0),
    "Liver": (60.0, 160.0),
    "Bone": (400.0, 1800.0),
}


def _menu_texts(window) -> list[str]:
    menu = next(a.menu() for a in window.view_menu.actions() if a.text() == "Window &presets")
    return [a.text() for a in menu.actions() if a.isVisible()]


def test_ct_presets_by_name_in_menu_combo_and_keys(window, open_study, qtbot):
    open_study(window, sample_path("ct"))
    controls = window.window_controls
    named = controls.named_presets()
    assert {k: named[k] for k in CT_PRESETS} == CT_PRESETS
    assert list(named)[:9] == list(CT_PRESETS)
    texts = _menu_texts(window)
    assert texts[0] == "Brain (40 / 80)" and texts[4] == "Lung (-600 / 1500)"
    assert len(texts) == 9
    combo_items = [controls.preset.itemText(i) for i in range(controls.preset.count())]
    assert combo_items[0] == "Study default" and "Temporal bone" in combo_items
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_5)  # the fifth preset: Lung
    assert window.state.window == (-600.0, 1500.0)
    assert controls.preset.currentText() == "Lung" and controls.preset_in_use == "Lung"
    window.panes._on_window_drag(3.0, 5.0, False)  # the reader drags: no preset any more
    assert controls.preset.currentText() == "Custom"
    controls.apply_preset("Stroke")
    assert controls.preset.currentText() == "Stroke"
    assert controls.preset.findText("Custom") < 0


def test_mri_and_xray_get_percentile_presets_and_own_ones(window, open_study):
    from denoscope.app.widgets.window_controls import percentile_windows

    open_study(window, sample_path("mri"), modality="mri")
    controls = window.window_controls
    frames = window.state.study.study.frames
    lo, hi = np.percentile(frames, [1, 99])
    named = controls.named_presets()
    assert named["Percentile 1–99 %"] == pytest.approx(((lo + hi) / 2, hi - lo))
    assert "Percentile 0.5–99.5 %" in named and "Brain" not in named
    assert _menu_texts(window)[0].startswith("Percentile 1–99 %")
    assert controls.apply_preset_number(2)
    assert controls.preset.currentText() == "Percentile 0.5–99.5 %"
    window.state.set_window(700.0, 900.0)
    controls.save_preset("My knee")
    assert controls.named_presets()["My knee"] == (700.0, 900.0)
    assert controls.preset.currentText() == "My knee"
    assert any(text.startswith("My knee") for text in _menu_texts(window))
    assert percentile_windows(np.zeros((1, 4, 4))) == {}  # flat image: no percentile window
