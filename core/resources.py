"""Where bundled data lives: sample studies, style sheet, shipped models.

Paths are resolved through :mod:`importlib.resources`, so they work from an
editable checkout and from an installed wheel alike.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: Bundled sample studies, by a short name (see ``resources/samples/SOURCES.md``).
SAMPLE_FILES: dict[str, str] = {
    "ct": "CT_small.dcm",
    "mri": "MR_small.dcm",
    "xray": "chest_cr_RG1_UNCI_quarter.dcm",
    "mri-brain": "mni152_t1_axial_z90.png",
}


def resources_dir() -> Path:
    """Return the folder of the ``resources`` data package."""
    return Path(str(files("denoscope.resources")))


def samples_dir() -> Path:
    """Return the folder holding the bundled sample studies."""
    return resources_dir() / "samples"


def sample_path(name: str) -> Path:
    """Return the path of a bundled sample study.

    Parameters
    ----------
    name : str
        A key of :data:`SAMPLE_FILES` (``"ct"``, ``"mri"``, ``"xray"``, ``"mri-brain"``).

    Returns
    -------
    Path
        The sample file.
    """
    from denoscope.core.errors import ParameterError

    if name not in SAMPLE_FILES:
        raise ParameterError(
            "unknown sample study",
            got=repr(name),
            expected=f"one of {', '.join(SAMPLE_FILES)}",
        )
    return samples_dir() / SAMPLE_FILES[name]


def shipped_models_dir() -> Path:
    """Return the folder of the shipped model files (``models/`` in the repository)."""
    return Path(str(files("denoscope.shipped_models")))
