"""All quality metrics for one (reference, test) pair, as one typed record."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from numpy.typing import ArrayLike

from denoscope.core.errors import MetricUnavailableError
from denoscope.core.metrics.edges import gmsd
from denoscope.core.metrics.fidelity import check_pair_views, mae, mse, psnr, ssim
from denoscope.core.metrics.grid import grid_index
from denoscope.core.metrics.lpips_net import LPIPS_MIN_SIZE, lpips_distance, lpips_status
from denoscope.core.metrics.table import METRICS, format_metric

if TYPE_CHECKING:
    import torch

#: Metric names in display order, with "higher is better" flags (from :data:`METRICS`).
METRIC_ORDER: tuple[tuple[str, bool], ...] = tuple(
    (spec.key, spec.higher_is_better) for spec in METRICS
)


@dataclass(frozen=True)
class MetricSet:
    """Quality of a test image against a reference, all at one ``data_range``.

    Attributes
    ----------
    psnr : float
        dB; ``inf`` for identical images (kept as ``float('inf')``).
    ssim : float
        Wang et al. window (see :data:`denoscope.core.metrics.fidelity.SSIM_SETTINGS`).
    mse, mae : float
        On intensities divided by ``data_range``.
    gmsd : float
        Edge preservation, lower is better (:func:`denoscope.core.metrics.edges.gmsd`).
    grid : float or None
        Grid-artifact index, lower is better (:func:`denoscope.core.metrics.grid.grid_index`).
    lpips : float or None
        LPIPS-alex v0.1; None when not computed, with the reason in ``lpips_note``.
    data_range : float
        The intensity range used.
    lpips_note : str
        Empty when LPIPS was computed, else why not (with an install hint).
    """

    psnr: float
    ssim: float
    mse: float
    mae: float
    gmsd: float
    lpips: float | None
    data_range: float
    lpips_note: str = ""
    grid: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        """Metric values by name, in :data:`METRIC_ORDER` (no ``data_range``/note)."""
        values = asdict(self)
        return {name: values[name] for name, _ in METRIC_ORDER}

    def format(self, name: str) -> str:
        """Text for one metric (:func:`~denoscope.core.metrics.table.format_metric`).

        ``inf`` for an infinite PSNR, ``unavailable`` for a metric not computed.
        """
        return format_metric(name, getattr(self, name), missing="unavailable")


def compute_metrics(
    reference: ArrayLike,
    test: ArrayLike,
    *,
    data_range: float,
    lpips: bool = True,
    device: str | torch.device = "cpu",
) -> MetricSet:
    """Compute PSNR, SSIM, MSE, MAE, GMSD, grid index and LPIPS of ``test`` against ``reference``.

    Parameters
    ----------
    reference, test : array_like, shape (rows, cols)
        Images of the same shape (in Denoscope: [0, 1] images, ``data_range=1``).
    data_range : float
        Intensity range of the images; required, never guessed.
    lpips : bool, optional
        Compute LPIPS (needs real weights; see
        :func:`denoscope.core.metrics.lpips_status`). When False or unavailable
        the record holds ``lpips=None`` and says why in ``lpips_note``.
    device : str or torch.device, optional
        Device for LPIPS (``"cpu"`` or ``"cuda"``).

    Returns
    -------
    MetricSet
        The record.
    """
    ref, tst = check_pair_views(reference, test, data_range=data_range)
    lpips_value: float | None = None
    note = ""
    if not lpips:
        note = "LPIPS not requested"
    elif min(ref.shape) < LPIPS_MIN_SIZE:
        note = f"LPIPS needs at least {LPIPS_MIN_SIZE}x{LPIPS_MIN_SIZE} pixels"
    else:
        available, message = lpips_status()
        if not available:
            note = message
        else:
            try:
                lpips_value = lpips_distance(ref, tst, data_range=data_range, device=device)
            except MetricUnavailableError as error:
                note = str(error)
    return MetricSet(
        psnr=psnr(ref, tst, data_range=data_range),
        ssim=ssim(ref, tst, data_range=data_range),
        mse=mse(ref, tst, data_range=data_range),
        mae=mae(ref, tst, data_range=data_range),
        gmsd=gmsd(ref, tst, data_range=data_range),
        grid=grid_index(ref, tst, data_range=data_range),
        lpips=lpips_value,
        data_range=float(data_range),
        lpips_note=note,
    )
