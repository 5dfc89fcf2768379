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

from denoscope.core.metrics.edges import gmsd
from denoscope.core.metrics.fidelity import SSIM_SETTINGS, mae, mse, psnr, ssim
from denoscope.core.metrics.grid import grid_amplitude, grid_index
from denoscope.core.metrics.lpips_net import lpips_distance, lpips_network, lpips_status
from denoscope.core.metrics.record import METRIC_ORDER, MetricSet, compute_metrics
from denoscope.core.metrics.table import (
    METRIC_KEYS,
    METRICS,
    MetricSpec,
    format_metric,
    metric_spec,
)

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
