"""Denoscope's headless library: study loading, noise, metrics, models, inference.

Nothing here imports Qt or pyqtgraph; an import-linter contract in
``pyproject.toml`` enforces it.
"""
