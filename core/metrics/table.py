"""The one metric table: key, label, unit, direction and number format of every metric.

The CLI (``denoscope metrics``), the viewer's table, the evaluation reports,
CSV/JSON exports and burned-in captions all read :data:`METRICS` and format
numbers with :func:`format_metric`, so a metric is named, ordered and printed
the same way everywhere.

To add a metric: append a :class:`MetricSpec` here and a field of the same
``key`` to :class:`~denoscope.core.metrics.record.MetricSet` (computed in
:func:`~denoscope.core.metrics.record.compute_metrics`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class MetricSpec:
    """How one metric is named, read and printed.

    Attributes
    ----------
    key : str
        Field name in :class:`~denoscope.core.metrics.record.MetricSet`, JSON and CSV.
    label : str
        Column header (``"PSNR (dB)"``).
    unit : str
        Unit of the value (``"dB"``, ``""`` for a ratio).
    higher_is_better : bool
        Direction, for colouring deltas and choosing winners.
    fmt : str
        :func:`format` spec of the value (``".2f"``).
    description : str
        One sentence for tooltips and reports.
    """

    key: str
    label: str
    unit: str
    higher_is_better: bool
    fmt: str
    description: str


#: Every metric, in display order.
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "psnr",
        "PSNR (dB)",
        "dB",
        True,
        ".2f",
        "Peak signal-to-noise ratio against the truth at data range 1; higher is better.",
    ),
    MetricSpec(
        "ssim",
        "SSIM",
        "",
        True,
        ".4f",
        "Structural similarity (Wang et al. Gaussian window), 1 = identical.",
    ),
    MetricSpec(
        "mse",
        "MSE",
        "([0, 1] units)²",
        False,
        ".3e",
        "Mean squared error on [0, 1] images; lower is better.",
    ),
    MetricSpec(
        "mae",
        "MAE",
        "[0, 1] units",
        False,
        ".5f",
        "Mean absolute error on [0, 1] images; lower is better.",
    ),
    MetricSpec(
        "gmsd",
        "Edge (GMSD)",
        "",
        False,
        ".4f",
        "Gradient magnitude similarity deviation: edges lost or invented; 0 = same edges.",
    ),
    MetricSpec(
        "grid",
        "Grid",
        "× white-noise floor",
        False,
        ".2f",
        "Energy of a 2-pixel periodic pattern (checkerboard/stripes) in the error, relative "
        "to what a white error of the same power has: ~1 white, <1 smooth, >1 a grid "
        "(denoscope.core.metrics.grid).",
    ),
    MetricSpec(
        "lpips",
        "LPIPS",
        "",
        False,
        ".4f",
        "Learned perceptual distance (AlexNet LPIPS v0.1); lower is better.",
    ),
)

#: Metric keys in display order.
METRIC_KEYS: tuple[str, ...] = tuple(spec.key for spec in METRICS)

_BY_KEY = {spec.key: spec for spec in METRICS}


def metric_spec(key: str) -> MetricSpec:
    """The :class:`MetricSpec` of ``key`` (KeyError names the known keys)."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown metric {key!r}; known: {', '.join(METRIC_KEYS)}") from None


def format_metric(
    key: str, value: float | str | None, *, missing: str = "—", signed: bool = False
) -> str:
    """Text of one metric value, the same in the CLI, the viewer, reports and captions.

    Parameters
    ----------
    key : str
        A key of :data:`METRICS`.
    value : float or str or None
        The value; ``None`` gives ``missing``; a string is returned as is.
    missing : str, optional
        Text for a value that was not computed (the CLI says ``"unavailable"``).
    signed : bool, optional
        Prefix ``+`` to a positive value (delta rows).

    Returns
    -------
    str
        ``"inf"``/``"-inf"`` for infinities (identical images), ``"nan"`` for NaN,
        else the value in the metric's format.
    """
    if value is None:
        return missing
    if isinstance(value, str):
        return value
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return ("+inf" if signed else "inf") if value > 0 else "-inf"
    text = format(value, metric_spec(key).fmt)
    return f"+{text}" if signed and value > 0 else text
