"""The status bar (part of every screenshot) shows no free-text description unless asked."""

from __future__ import annotations


def test_status_bar_hides_the_series_description(window, open_study) -> None:
    from denoscope.core.resources import sample_path

    open_study(window, sample_path("ct"), modality="ct")
    description = window.state.study.study.description
    assert description
    text = window.status_study.text()
    assert description not in text and "CT" in text
    window.exports.include_identifying.setChecked(True)
    assert description in window.status_study.text()
    window.exports.include_identifying.setChecked(False)
    assert description not in window.status_study.text()
