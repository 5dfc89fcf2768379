"""The common interface of Denoscope's denoising networks."""

from __future__ import annotations

from torch import nn


class Denoiser(nn.Module):
    """Base class: maps (N, 1, H, W) images in [0, 1] to (N, 1, H, W) in [0, 1].

    Attributes
    ----------
    config : ModelConfig
        The architecture config the network was built from.
    stride_multiple : int
        H and W given to :meth:`forward` must be multiples of this
        (:func:`denoscope.core.inference.denoise` reflect-pads to it).
    fixed_size : int or None
        When set, the network accepts only ``fixed_size`` x ``fixed_size``
        inputs (inference runs it over overlapping patches).
    receptive_field : int
        Width in pixels of the input window that can influence one output
        pixel; tiles overlapping by half of it or more blend seamlessly.
    noise_level_input : bool
        Whether :meth:`forward` uses a noise level (``noise_level`` argument).
    """

    stride_multiple: int = 1
    fixed_size: int | None = None
    receptive_field: int = 1
    noise_level_input: bool = False

    def __init__(self, config) -> None:  # noqa: ANN001 - any ModelConfig
        super().__init__()
        self.config = config

    @property
    def parameter_count(self) -> int:
        """Number of trainable parameters."""
        return sum(p.numel() for p in self.parameters())
