"""Denoscope: review deep-learning denoising of medical images.

The distribution maps the repository's fixed layout onto one namespace:
``core/`` is :mod:`denoscope.core` (headless library), ``app/`` is
:mod:`denoscope.app` (the Qt viewer), ``resources/`` and ``models/`` are data
packages. This root package holds only the version and the command-line entry.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("denoscope")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
