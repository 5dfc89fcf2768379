"""Denoscope's Qt viewer (PySide6 + pyqtgraph). All computation is done by :mod:`denoscope.core`.

Importing this package does not import Qt; the modules that need it do.
"""
