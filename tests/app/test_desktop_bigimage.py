"""Big images: LPIPS on a labelled downsampled copy, in bounded time."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import pytest

from denoscope.core.review.lpips_copy import LPIPS_MAX_SIDE, lpips_copy, lpips_factor, lpips_label


def test_factor_and_copy() -> None:
    assert lpips_factor((512, 512)) == 1
    assert lpips_factor((LPIPS_MAX_SIDE, 10)) == 1
    assert lpips_factor((3072, 2614)) == 3
    image = np.arange(7 * 5, dtype=np.float32).reshape(7, 5)
    small = lpips_copy(image, 2)
    assert small.shape == (3, 2)
    assert small[0, 0] == pytest.approx(np.mean(image[:2, :2]))
    assert lpips_copy(image, 1) is image
    assert lpips_label((3072, 2614)) == "LPIPS on a 1/3 downsampled copy (1024×871, block mean)"
    assert lpips_label((512, 512)) == "LPIPS (full resolution)"


def test_lpips_of_a_big_image_runs_on_the_copy_quickly() -> None:
    from denoscope.core.metrics import lpips_distance, lpips_status
    from denoscope.core.review.slice import lpips_for

    if not lpips_status()[0]:
        pytest.skip("no LPIPS weights here")
    rng = np.random.default_rng(0)
    truth = np.clip(rng.normal(0.5, 0.1, (2100, 1500)), 0, 1).astype(np.float32)
    noisy = np.clip(truth + rng.normal(0, 0.1, truth.shape), 0, 1).astype(np.float32)
    result = SimpleNamespace(
        truth01=truth, noisy01=noisy, denoised01=None, baseline01=None, device="cpu"
    )
    lpips_distance(truth[:64, :64], noisy[:64, :64], data_range=1.0)  # build the network once
    start = time.perf_counter()
    values = lpips_for(result)
    assert time.perf_counter() - start < 10.0
    expected = lpips_distance(lpips_copy(truth, 3), lpips_copy(noisy, 3), data_range=1.0)
    assert values["noisy"] == pytest.approx(expected, rel=1e-5)


def test_metrics_table_labels_a_downsampled_lpips(qtbot) -> None:
    from denoscope.app.pipeline import METRIC_COLUMNS
    from denoscope.app.state import ViewerState
    from denoscope.app.widgets.metrics_table import MetricsTable

    state = ViewerState()
    table = MetricsTable(state)
    qtbot.addWidget(table)
    table.table.setColumnCount(len(METRIC_COLUMNS))
    table.table.setHorizontalHeaderLabels([label for _k, label, _h in METRIC_COLUMNS])
    table._label_lpips((3072, 2614))
    column = [key for key, _l, _h in METRIC_COLUMNS].index("lpips")
    header = table.table.horizontalHeaderItem(column)
    assert header.text() == "LPIPS (1/3 copy)"
    assert "downsampled" in header.toolTip()


def test_a_big_image_shows_its_denoised_image_before_its_metrics(
    window, qtbot, monkeypatch
) -> None:
    from denoscope.app import pipeline
    from denoscope.core.resources import sample_path

    monkeypatch.setattr(pipeline, "BIG_PIXELS", 1000)  # the 128² sample counts as big
    shown = []
    window.state.resultChanged.connect(
        lambda r: shown.append(None if r is None else (r.metrics_pending, dict(r.metrics)))
    )
    with qtbot.waitSignal(window.controller.settled, timeout=60000):
        window.open_path(sample_path("ct"), modality="ct")
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=60000)
    assert shown[-1] == (True, {})  # the image came first, without metrics
    result = window.state.result
    assert not result.metrics_pending and result.metrics["denoised"]["psnr"] > 0
    assert result.baseline01 is not None
    assert window.metrics.table.item(0, 0).text() not in ("", "…")
    assert window.state.lpips  # LPIPS followed the metrics


def test_difference_images_are_computed_when_first_asked_for() -> None:
    import numpy as np

    from denoscope.app.pipeline import DifferenceImages

    rng = np.random.default_rng(0)
    noisy, denoised, truth = (rng.random((6, 5), dtype=np.float32) for _ in range(3))
    differences = DifferenceImages(noisy, denoised, truth)
    assert set(differences) == {"residual", "noisy-truth", "denoised-truth"}
    assert differences._images == {}  # nothing held before a pane or an export asks
    np.testing.assert_array_equal(differences["denoised-truth"], np.abs(denoised - truth))
    assert differences["denoised-truth"] is differences.get("denoised-truth")  # kept
    np.testing.assert_array_equal(differences["residual"], noisy - denoised)
    np.testing.assert_array_equal(differences["noisy-truth"], np.abs(noisy - truth))
    real_input = DifferenceImages(noisy, denoised, None)
    assert set(real_input) == {"residual"} and real_input.get("noisy-truth") is None


def test_the_worker_keeps_the_measured_noise_sd_with_the_result(window, open_study) -> None:
    from dataclasses import replace

    import pytest

    from denoscope.app.noise_defaults import measured_noise_sd
    from denoscope.core.resources import sample_path

    open_study(window, sample_path("ct"), modality="ct")
    result = window.state.result
    kept = result.noise_sd["ct"]  # computed by the pipeline, not by the controls' slot
    assert kept is not None and kept > 0
    assert measured_noise_sd(result, "ct") == kept
    assert measured_noise_sd(replace(result, noise_sd={}), "ct") == pytest.approx(kept)
