"""Messages that are current: banners and the status bar follow the latest action; Cancel."""

from __future__ import annotations

import time

from denoscope.app.widgets.job_status import progress_text


def test_an_error_is_cleared_by_the_next_success(window, open_study, qtbot, tmp_path) -> None:
    from denoscope.core.resources import sample_path

    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    with qtbot.waitSignal(window.controller.settled, timeout=20000):
        window.open_path(notes)
    assert window.banner.isVisible() and window.banner.kind == "error"
    assert window.status_study.text().startswith("Could not open notes.txt")
    assert "Loading" not in window.status_study.text()

    open_study(window, sample_path("ct"), modality="ct")
    assert not window.banner.isVisible()
    assert window.state.last_error is None
    assert "CT" in window.status_study.text() and "Loading" not in window.status_study.text()


def test_a_failed_export_is_cleared_by_a_successful_one(window, open_study, tmp_path) -> None:
    from denoscope.core.resources import sample_path

    open_study(window, sample_path("ct"), modality="ct")
    taken = tmp_path / "shot.png"
    taken.write_bytes(b"existing")
    assert window.exports.export_comparison(taken) is None  # refuses to replace
    assert window.banner.isVisible() and "exist" in window.banner.text().lower()
    assert window.exports.export_comparison(tmp_path / "new.png") is not None
    assert not window.banner.isVisible()
    assert window.statusBar().currentMessage().startswith("Wrote ")


def test_progress_text_says_what_runs() -> None:
    assert progress_text("denoise", 12, 48) == "denoising tile 12/48"
    assert progress_text("denoise", 48, 48) == "metrics and display"
    assert progress_text("lpips", 1, 3) == "LPIPS 1/3"
    assert progress_text("export", 2, 10) == "exporting slice 2/10"


def test_progress_bar_names_the_task_and_cancel_stops_it(window, open_study, qtbot) -> None:
    from denoscope.core.resources import sample_path

    open_study(window, sample_path("ct"), modality="ct")

    def slow(*, progress, should_stop):
        for step in range(200):
            if should_stop():
                raise RuntimeError("cancelled")  # reported as a cancellation by the worker
            progress(step + 1, 200)
            time.sleep(0.02)
        return None

    window.controller.series.submit(slow)
    qtbot.waitUntil(lambda: window.jobs.text().startswith("slice metrics "), timeout=5000)
    assert window.jobs.isVisible()
    start = time.perf_counter()
    window.jobs.cancel.click()
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=5000)
    assert time.perf_counter() - start < 1.0
    assert not window.jobs.isVisible()
    assert window.statusBar().currentMessage().startswith("Cancelled")
    assert not window.banner.isVisible()  # a cancellation is not an error
