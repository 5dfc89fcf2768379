"""Physical noise by default, levels in physical units, mismatch warnings, live slider (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest

from denoscope.core.resources import sample_path


@pytest.mark.parametrize(
    ("sample", "modality", "noise"),
    [("ct", "ct", "lowdose-ct"), ("mri", "mri", "rician"), ("xray", "xray", "xray")],
)
def test_each_modality_opens_with_its_physical_noise(window, open_study, sample, modality, noise):
    from denoscope.core.noise import NOISE_MODELS

    open_study(window, sample_path(sample), modality=modality)
    params = window.state.params
    assert params.noise == noise
    assert params.level == NOISE_MODELS[noise].default_level(modality)
    assert window.state.result.params.noise == noise
    assert "not for" not in window.controls.noise.currentText()


def test_ct_level_is_shown_in_hu_and_measured(window, open_study, settle):
    from denoscope.app.noise_defaults import measured_noise_sd

    open_study(window, sample_path("ct"), modality="ct")
    result = window.state.result
    truth, noisy = result.display["truth"], result.display["noisy"]
    body = truth > -900
    expected = float(np.std((noisy - truth)[body]))
    assert measured_noise_sd(result, "ct") == pytest.approx(expected)
    text = window.controls.level_description()
    assert text.startswith("10 % of full dose")
    assert f"noise SD {expected:.3g} HU (measured)" in text
    # Gaussian stays available, its σ also in HU (fixed CT range 4095 HU).
    window.controls.noise.setCurrentIndex(window.controls.noise.findData("gaussian"))
    settle(window)
    sigma = window.state.params.level
    assert f"σ = {sigma * 4095:.4g} HU" in window.controls.level_description()
    assert "of the intensity range" in window.controls.level_description()
    assert "[0, 1] units" not in window.controls.level_description()
    assert "noise SD" in window.controls.level_description()


def test_noise_that_does_not_fit_the_modality_is_marked_and_warns(window, open_study, qtbot):
    open_study(window, sample_path("xray"), modality="xray")
    combo = window.controls.noise
    assert combo.itemText(combo.findData("lowdose-ct")) == "Low-dose CT — not for X-ray"
    assert combo.itemText(combo.findData("rician")).endswith("— not for X-ray")
    assert combo.itemText(combo.findData("gaussian")) == "Gaussian"
    with qtbot.waitSignal(window.state.message) as blocker:
        combo.setCurrentIndex(combo.findData("lowdose-ct"))
    kind, text = blocker.args
    assert kind == "warning" and "Low-dose CT noise models CT" in text and "X-ray" in text
    # An MRI study marks the CT and X-ray models instead.
    open_study(window, sample_path("mri"), modality="mri")
    assert combo.itemText(combo.findData("lowdose-ct")) == "Low-dose CT — not for MRI"
    assert combo.itemText(combo.findData("rician")) == "Rician (MRI magnitude)"


def test_dragging_the_level_slider_previews_and_ends_on_the_released_value(
    window, open_study, settle, qtbot
):
    open_study(window, sample_path("ct"), modality="ct")
    settle(window)
    slider = window.controls.level_slider
    shown: list[float] = []
    window.state.resultChanged.connect(lambda r: shown.append(r.params.level))
    slider.setSliderDown(True)
    for position in range(300, 660, 6):  # a 60-step drag
        slider.setValue(position)
        qtbot.wait(15)
    previews = len(set(shown))
    slider.setValue(700)
    slider.setSliderDown(False)  # released at 700
    settle(window)
    released = window.controls._slider_level(700)
    assert window.state.params.level == pytest.approx(released)
    assert window.state.result.params.level == pytest.approx(released)
    assert previews >= 2  # intermediate results were shown during the drag
    assert shown[-1] == pytest.approx(released)


def test_a_dose_where_the_model_hurts_says_so(window, open_study, settle):
    open_study(window, sample_path("ct"), modality="ct")
    for level in (0.1, 1.0):  # 10 % dose, then full dose (almost no noise)
        window.state.set_params(level=level)
        settle(window)
        metrics = window.state.result.metrics
        loss = metrics["denoised"]["psnr"] - metrics["noisy"]["psnr"]
        text = window.controls.level_description()
        if loss < 0:  # the model makes this image worse: its note says so
            assert f"Denoising lowers PSNR here ({loss:+.1f} dB)" in text
            assert "try a lower dose" in text
        else:
            assert "Denoising lowers PSNR" not in text
    assert loss < 0  # at full dose no model here beats the ~53 dB noisy image: the note shows
