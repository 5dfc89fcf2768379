"""Image quality metrics on 2-D images with an explicit ``data_range``.

* fidelity: :func:`psnr`, :func:`ssim` (Wang et al. window), :func:`mse`, :func:`mae`;
* edges: :func:`gmsd` (gradient magnitude similarity deviation, edge preservation);
* grid: :func:`grid_index` (2-pixel periodic artefacts in the error) and :func:`grid_amplitude`;
* perception: :func:`lpips_distance` (LPIPS-alex v0.1, real weights only) and
  :func:`lpips_status`;
* :func:`compute_metrics` returns all of them as a :class:`MetricSet`;
* :data:`METRICS` (:mod:`~denoscope.core.metrics.table`) names, orders and
  formats them (:func:`format_metric`) for every table, report and export.
"""

from __future__ import annotations

import importlib
from typing import Any

from denoscope.core.metrics.table import (
    METRIC_KEYS,
    METRICS,
    MetricSpec,
    format_metric,
    metric_spec,
)

#: Where each public name lives. Loaded on first use, so ``import
#: denoscope.core.metrics.table`` (the viewer at start-up) does not pull in
#: scikit-image, SciPy or torch.
_LAZY: dict[str, str] = {
    "gmsd": "edges",
    "SSIM_SETTINGS": "fidelity",
    "mae": "fidelity",
    "mse": "fidelity",
    "psnr": "fidelity",
    "ssim": "fidelity",
    "grid_amplitude": "grid",
    "grid_index": "grid",
    "lpips_distance": "lpips_net",
    "lpips_network": "lpips_net",
    "lpips_status": "lpips_net",
    "METRIC_ORDER": "record",
    "MetricSet": "record",
    "compute_metrics": "record",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "METRICS",
    "METRIC_KEYS",
    "METRIC_ORDER",
    "MetricSpec",
    "format_metric",
    "metric_spec",
    "SSIM_SETTINGS",
    "MetricSet",
    "compute_metrics",
    "gmsd",
    "grid_amplitude",
    "grid_index",
    "lpips_distance",
    "lpips_network",
    "lpips_status",
    "mae",
    "mse",
    "psnr",
    "ssim",
]
