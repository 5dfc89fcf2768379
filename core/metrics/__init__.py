"""Image quality metrics on 2-D images with an explicit ``data_range``.

* fidelity: :func:`psnr`, :func:`ssim` (Wang et al. window), :func:`mse`, :func:`mae`;
* edges: :func:`gmsd` (gradient magnitude similarity deviation, edge preservation);
* perception: :func:`lpips_distance` (LPIPS-alex v0.1, real weights only) and
  :func:`lpips_status`;
* :func:`compute_metrics` returns all of them as a :class:`MetricSet`.
"""

from denoscope.core.metrics.edges import gmsd
from denoscope.core.metrics.fidelity import SSIM_SETTINGS, mae, mse, psnr, ssim
from denoscope.core.metrics.lpips_net import lpips_distance, lpips_network, lpips_status
from denoscope.core.metrics.record import METRIC_ORDER, MetricSet, compute_metrics

__all__ = [
    "METRIC_ORDER",
    "SSIM_SETTINGS",
    "MetricSet",
    "compute_metrics",
    "gmsd",
    "lpips_distance",
    "lpips_network",
    "lpips_status",
    "mae",
    "mse",
    "psnr",
    "ssim",
]
