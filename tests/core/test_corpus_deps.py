"""corpus build names its missing optional packages in one line instead of ModuleNotFoundError."""

from __future__ import annotations

import importlib.util

from denoscope.cli import main
from denoscope.core.cli import corpus


def test_missing_packages_are_named_in_one_line(monkeypatch, capsys, tmp_path) -> None:
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        if name in ("nrrd", "nibabel"):
            return None
        if name in corpus.CORPUS_MODULES:  # the others count as installed, wherever this runs
            return real(name, *args, **kwargs) or object()
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert corpus.missing_corpus_packages() == ["nibabel", "pynrrd"]
    assert main(["corpus", "build", "--modality", "ct", "--cache", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nibabel, pynrrd" in err
    assert "pip install 'denoscope[corpus]'" in err
    assert list(tmp_path.iterdir()) == []


def test_checked_packages_are_the_corpus_extra() -> None:
    """Every package checked is one the ``corpus`` extra installs."""
    import importlib.metadata
    import re

    requires = importlib.metadata.requires("denoscope") or []
    extra = {
        re.split(r"[<>=!~ ;\[]", r, maxsplit=1)[0].lower()
        for r in requires
        if 'extra == "corpus"' in r
    }
    assert set(corpus.CORPUS_MODULES.values()) <= extra, extra
