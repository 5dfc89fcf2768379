"""Architecture configurations: pydantic models checked once, at the boundary.

Each architecture has its own config class with a literal ``arch`` field;
:data:`ModelConfig` is their discriminated union, so a JSON model card's
``architecture`` entry parses straight into the right class.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

#: Largest channel width a config may ask for: a model card is untrusted input, and a
#: width of 10^5 would ask for hundreds of GB (issue 14). The shipped models use <= 128.
MAX_WIDTH = 512

Width = Annotated[int, Field(ge=1, le=MAX_WIDTH)]
"""A channel width, bounded by :data:`MAX_WIDTH`."""


class _Config(BaseModel):
    """Base of the architecture configs: frozen, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CAEConfig(_Config):
    """The first report's convolutional autoencoder, exactly.

    3x3 convolutions with ReLU and same padding: Conv(64), MaxPool(2),
    Conv(128), MaxPool(2), Conv(128), Upsample(2), Conv(64), Upsample(2),
    Conv(1) with a sigmoid. Input sizes must be multiples of 4 (inference pads).
    """

    arch: Literal["cae"] = "cae"
    channels: tuple[Width, Width] = Field((64, 128), description="widths of the two encoder levels")


class DenseCAEConfig(_Config):
    """The second report's autoencoder with a dense (linear) bottleneck.

    A convolutional block with batch norm and two stride-2 convolutions,
    flattened and mapped by linear layers to a latent vector, then a mirrored
    decoder (linear layers, transposed convolutions with batch norm) ending in a
    sigmoid. It works on patches of a fixed size (``patch_size``, a multiple of
    4); inference runs it over overlapping patches.
    """

    arch: Literal["dense-cae"] = "dense-cae"
    patch_size: int = Field(28, ge=8, le=256, description="fixed input size (pixels, square)")
    channels: tuple[Width, Width] = Field((16, 32), description="widths of the conv block")
    hidden: int = Field(
        128, ge=1, le=4096, description="width of the linear layer before the latent"
    )
    latent: int = Field(32, ge=1, le=1024, description="size of the latent vector")

    @model_validator(mode="after")
    def _check_patch(self) -> DenseCAEConfig:
        if self.patch_size % 4:
            raise ValueError(f"patch_size must be a multiple of 4, got {self.patch_size}")
        return self


class ResCAEConfig(_Config):
    """The shipped residual autoencoder with symmetric skip connections.

    RED-Net style: an encoder of stride-2 levels, a decoder of transposed
    convolutions whose outputs are added to the encoder features of the same
    level, predicting the noise residual ``r``; the output is
    ``clamp(x - r, 0, 1)``. For speed it starts with a 2x2 pixel unshuffle
    (FFDNet style: 4 channels at half resolution) and ends with the matching
    pixel shuffle. No batch norm, so tiles give the same result as whole images.
    """

    arch: Literal["res-cae"] = "res-cae"
    widths: tuple[Width, ...] = Field(
        (32, 48, 64),
        min_length=1,
        max_length=5,
        description="channels at 1/2, 1/4, 1/8 ... resolution",
    )
    convs_per_level: int = Field(1, ge=1, le=4, description="extra 3x3 convs per level and side")
    bottleneck_convs: int = Field(2, ge=0, le=8, description="3x3 convs at the coarsest level")
    noise_level_input: bool = Field(
        False, description="take a noise-level map as a second input (FFDNet style)"
    )
    upsampling: Literal["transposed", "resize"] = Field(
        "transposed",
        description=(
            "decoder upsampling: 'transposed' (2x2 stride-2 transposed convs and a final pixel "
            "shuffle, the v1 models; prone to a 2-pixel grid) or 'resize' (bilinear resize then "
            "convolution, and a full-resolution refinement: no per-phase weights, no grid)"
        ),
    )


#: The configuration of the shipped v2 models: noise-level map input, resize-conv decoder.
SHIPPED_RES_CAE = ResCAEConfig(noise_level_input=True, upsampling="resize")


class DnCNNConfig(_Config):
    """DnCNN (Zhang et al. 2017): conv+ReLU, (conv+BN+ReLU) x (depth-2), conv; residual."""

    arch: Literal["dncnn"] = "dncnn"
    depth: int = Field(17, ge=3, le=40)
    width: int = Field(64, ge=1, le=MAX_WIDTH)
    batch_norm: bool = True


ModelConfig = Annotated[
    CAEConfig | DenseCAEConfig | ResCAEConfig | DnCNNConfig, Field(discriminator="arch")
]
"""Any architecture config, discriminated by its ``arch`` field."""

_ADAPTER: TypeAdapter[Any] = TypeAdapter(ModelConfig)

ARCHITECTURES: tuple[str, ...] = ("cae", "dense-cae", "res-cae", "dncnn")
"""The architecture names, in the order benchmarks and docs list them."""


def parse_model_config(data: dict[str, Any] | str | BaseModel) -> ModelConfig:
    """Parse a dict, a JSON string, an arch name or a config into a :data:`ModelConfig`.

    Parameters
    ----------
    data : dict, str or config
        ``{"arch": "res-cae", ...}``, its JSON text, a bare architecture name
        (``"res-cae"``: the default config), or an already-built config.

    Returns
    -------
    ModelConfig
        The validated config.

    Raises
    ------
    pydantic.ValidationError
        If the data does not describe a known architecture.
    """
    if isinstance(data, BaseModel):
        return _ADAPTER.validate_python(data.model_dump())
    if isinstance(data, str):
        if data in ARCHITECTURES:
            return _ADAPTER.validate_python({"arch": data})
        return _ADAPTER.validate_json(data)
    return _ADAPTER.validate_python(data)


def default_config(arch: str) -> ModelConfig:
    """Return the default (shipped) config of an architecture by name."""
    return _ADAPTER.validate_python({"arch": arch})
