"""The blinded reading window of a reader study (Qt), and ``denoscope study read``.

Importing this package does not import Qt; :mod:`~denoscope.app.study.reading_window`
and :mod:`~denoscope.app.study.panes` do. The study itself (file, order,
answers, statistics) is :mod:`denoscope.core.study`.
"""
