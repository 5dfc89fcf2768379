"""The viewer's work functions are plain Python: no Qt, deterministic, cancellable."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from denoscope.app import pipeline
from denoscope.app.params import Params
from denoscope.core.resources import sample_path


def test_pipeline_does_not_import_qt():
    code = (
        "import sys, denoscope.app.pipeline, denoscope.app.params\n"
        "print(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_process_is_deterministic_and_consistent(tiny_model):
    loaded = pipeline.load(sample_path("ct"))
    params = Params(model_path=tiny_model, device="cpu", noise="poisson", level=200.0, seed=5)
    a = pipeline.process(loaded, 0, params)
    b = pipeline.process(loaded, 0, params)
    np.testing.assert_array_equal(a.noisy01, b.noisy01)
    np.testing.assert_array_equal(a.denoised01, b.denoised01)
    assert a.metrics == b.metrics
    np.testing.assert_allclose(
        a.differences["denoised-truth"], np.abs(a.display["denoised"] - a.display["truth"])
    )
    assert a.metrics["noisy"]["psnr"] == pytest.approx(
        pipeline.process(loaded, 0, params).metrics["noisy"]["psnr"]
    )
    other = pipeline.process(loaded, 0, Params(**{**params.__dict__, "seed": 6}))
    assert not np.array_equal(other.noisy01, a.noisy01)


def test_process_stops_when_asked(tiny_model):
    from denoscope.core.inference import Cancelled

    loaded = pipeline.load(sample_path("ct"))
    with pytest.raises(Cancelled):
        pipeline.process(loaded, 0, Params(model_path=tiny_model), should_stop=lambda: True)


def test_metric_table_deltas(tiny_model):
    loaded = pipeline.load(sample_path("ct"))
    result = pipeline.process(loaded, 0, Params(model_path=tiny_model, baseline="median"))
    rows = {
        row["row"]: row for row in pipeline.metric_table(result, {"noisy": 0.4, "denoised": 0.1})
    }
    assert rows["delta-noisy"]["psnr"] == pytest.approx(
        rows["denoised"]["psnr"] - rows["noisy"]["psnr"]
    )
    assert rows["delta-noisy"]["lpips"] == pytest.approx(-0.3)
    assert rows["delta-baseline"]["lpips"] is None


def test_a_model_for_another_modality_is_flagged(tiny_model):
    loaded = pipeline.load(sample_path("mri"))
    result = pipeline.process(loaded, 0, Params(model_path=tiny_model, modality="mri"))
    assert any("trained for CT" in note and "MRI" in note for note in result.notes)
    ct = pipeline.process(pipeline.load(sample_path("ct")), 0, Params(model_path=tiny_model))
    assert ct.notes == []


def test_lowdose_ct_noise_uses_the_study_pixel_size(tiny_model):
    from denoscope.core.noise import add_noise

    loaded = pipeline.load(sample_path("ct"))  # CT_small: 0.661 mm pixels
    assert pipeline.pixel_size_mm(loaded) == pytest.approx(0.661468)
    params = Params(model_path=tiny_model, device="cpu", noise="lowdose-ct", level=0.25, seed=3)
    result = pipeline.process(loaded, 0, params)
    truth01 = result.truth01
    rng = np.random.default_rng([3, 0])
    expected = add_noise(truth01, "lowdose-ct", 0.25, rng=rng, pixel_size_mm=0.661468)
    np.testing.assert_allclose(result.noisy01, expected, atol=1e-6)
    default_size = add_noise(truth01, "lowdose-ct", 0.25, rng=np.random.default_rng([3, 0]))
    assert not np.allclose(result.noisy01, default_size, atol=1e-6)
