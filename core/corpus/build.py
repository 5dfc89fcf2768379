"""Build a modality's corpus into the cache: ``.npy`` stacks of [0, 1] slices + manifest."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from denoscope.core.corpus import recipes
from denoscope.core.corpus.cache import default_cache_dir
from denoscope.core.corpus.drr import line_integrals, random_params
from denoscope.core.corpus.manifest import (
    CorpusManifest,
    VolumeEntry,
    load_manifest,
    save_npy,
    write_manifest,
)
from denoscope.core.corpus.sources import SourceVolume
from denoscope.core.corpus.splits import check_splits
from denoscope.core.errors import DenoscopeError, ParameterError

log = logging.getLogger(__name__)

MODALITIES = ("mri", "ct", "xray")

#: Radiograph tiles: size after a 2x downscale, and the downscale factor.
RADIOGRAPH_TILE = 256
RADIOGRAPH_DOWNSCALE = 2


def _normalize(frames: np.ndarray, modality: str) -> tuple[np.ndarray, dict]:
    from denoscope.core.intensity import normalization_for

    norm = normalization_for(frames, modality)
    unit = np.asarray(norm.to_unit(frames), dtype=np.float32)
    return np.clip(unit, 0.0, 1.0), norm.model_dump(mode="json")


def keep_slices(
    unit: np.ndarray, *, min_fraction: float = 0.05, min_std: float = 0.02
) -> np.ndarray:
    """Return the indices of slices that hold anatomy (not blank background).

    Parameters
    ----------
    unit : ndarray
        (slices, rows, cols) in [0, 1].
    min_fraction : float, optional
        Minimum fraction of pixels above 0.1.
    min_std : float, optional
        Minimum standard deviation of the slice.

    Returns
    -------
    ndarray
        Indices of the slices to keep.
    """
    frac = (unit > 0.1).mean(axis=(1, 2))
    std = unit.std(axis=(1, 2))
    return np.flatnonzero((frac >= min_fraction) & (std >= min_std))


def radiograph_tiles(
    unit: np.ndarray, *, tile: int = RADIOGRAPH_TILE, factor: int = RADIOGRAPH_DOWNSCALE
) -> np.ndarray:
    """Cut a [0, 1] radiograph into non-overlapping tiles that hold anatomy.

    Parameters
    ----------
    unit : ndarray
        (rows, cols) in [0, 1].
    tile : int, optional
        Tile side after downscaling.
    factor : int, optional
        Block-mean downscale factor applied first.

    Returns
    -------
    ndarray
        float32 (n_tiles, tile, tile).
    """
    from skimage.transform import downscale_local_mean

    small = downscale_local_mean(unit, (factor, factor)).astype(np.float32)
    tiles = [
        small[r : r + tile, c : c + tile]
        for r in range(0, small.shape[0] - tile + 1, tile)
        for c in range(0, small.shape[1] - tile + 1, tile)
    ]
    kept = [t for t in tiles if t.std() > 0.03 and 0.05 < t.mean() < 0.95]
    return np.stack(kept) if kept else np.empty((0, tile, tile), np.float32)


def _entry(folder: Path, vol: SourceVolume, unit: np.ndarray, norm: dict, **kw) -> VolumeEntry:
    volume_id = kw.pop("volume_id", vol.key)
    rel = f"volumes/{volume_id}.npy"
    (folder / "volumes").mkdir(parents=True, exist_ok=True)
    save_npy(folder / rel, unit)
    return VolumeEntry(
        volume_id=volume_id,
        group=kw.pop("group", str(vol.extra.get("patient", vol.key))),
        source=kw.pop("source", vol.source),
        licence=vol.licence,
        file=rel,
        n_slices=int(unit.shape[0]),
        rows=int(unit.shape[1]),
        cols=int(unit.shape[2]),
        normalization=norm,
        **kw,
    )


def _slices_entries(
    folder: Path, modality: str, source: recipes.Source, downloads: Path
) -> list[VolumeEntry]:
    out = []
    for vol in source.load(downloads):
        unit, norm = _normalize(vol.frames, modality)
        keep = keep_slices(unit)
        if keep.size == 0:
            log.warning("%s: %s has no slice with anatomy; skipped", modality, vol.key)
            continue
        note = "; ".join(x for x in (vol.note, f"{keep.size}/{unit.shape[0]} slices kept") if x)
        out.append(
            _entry(folder, vol, unit[keep], norm, modality=modality, split=source.split, note=note)
        )
    return out


def _drr_entries(
    folder: Path, source: recipes.Source, count: int, downloads: Path, rng: np.random.Generator
) -> list[VolumeEntry]:
    from scipy import ndimage

    out = []
    for vol in source.load(downloads):
        if vol.spacing_zyx is None:
            raise DenoscopeError(f"{vol.key} has no voxel spacing; cannot simulate radiographs")
        sz, sy, sx = vol.spacing_zyx
        pixel_mm = 1.0
        resampled = ndimage.zoom(vol.frames, (1.0, sy / pixel_mm, sx / pixel_mm), order=1)
        for i in range(count):
            params = random_params(rng)
            p = line_integrals(resampled, (sz, pixel_mm, pixel_mm), params, pixel_mm=pixel_mm)
            unit, norm = _normalize(p[None], "xray")
            out.append(
                _entry(
                    folder,
                    vol,
                    unit,
                    norm,
                    volume_id=f"drr-{vol.key}-{i:03d}",
                    group=vol.key,
                    modality="xray",
                    split=source.split,
                    real=False,
                    source=f"simulated radiograph of {vol.source}",
                    note="DRR: "
                    + ", ".join(
                        f"{k}={np.round(v, 3).tolist()}"
                        for k, v in params.as_dict().items()
                        if k in ("angle_deg", "bone_weight", "crop")
                    ),
                )
            )
    return out


def _radiograph_entries(folder: Path, source: recipes.Source, downloads: Path) -> list[VolumeEntry]:
    out = []
    for vol in source.load(downloads):
        unit, norm = _normalize(vol.frames[:1], "xray")
        tiles = radiograph_tiles(unit[0])
        out.append(
            _entry(
                folder,
                vol,
                tiles,
                norm,
                modality="xray",
                split=source.split,
                note=f"real radiograph, {RADIOGRAPH_DOWNSCALE}x block-mean downscale, {RADIOGRAPH_TILE}px tiles with anatomy",
            )
        )
    return out


def build_corpus(
    modality: str,
    *,
    cache_dir: str | Path | None = None,
    rng: int | np.random.Generator | None = 0,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> CorpusManifest:
    """Build (or reuse) one modality's corpus.

    Parameters
    ----------
    modality : str
        ``"mri"``, ``"ct"`` or ``"xray"``.
    cache_dir : str or Path, optional
        Cache root; the corpus goes into ``<cache_dir>/<modality>``. Default
        :func:`~denoscope.core.corpus.cache.default_cache_dir`.
    rng : int or Generator, optional
        Seed of the radiograph simulation.
    force : bool, optional
        Rebuild even when an up-to-date manifest exists.
    progress : callable, optional
        Called with a one-line message per source.

    Returns
    -------
    CorpusManifest
        The manifest (also written as ``manifest.json`` and ``manifest.csv``).
    """
    if modality not in MODALITIES:
        raise ParameterError(
            "unknown corpus modality", got=repr(modality), expected=" or ".join(MODALITIES)
        )
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder = root / modality
    downloads = root / "_downloads"
    say = progress or log.info
    if not force and (folder / "manifest.json").is_file():
        existing = load_manifest(folder)
        if existing.recipe_version == recipes.RECIPE_VERSION and all(
            (folder / v.file).is_file() for v in existing.volumes
        ):
            say(f"{modality}: up to date in {folder}")
            return existing
    rng = np.random.default_rng(rng)
    entries: list[VolumeEntry] = []
    skipped: list[str] = []

    def run(source: recipes.Source, fn: Callable[[], list[VolumeEntry]]) -> None:
        try:
            got = fn()
        except DenoscopeError as error:
            log.warning("%s: skipping %s: %s", modality, source.name, error)
            skipped.append(f"{source.name}: {error}")
            return
        entries.extend(got)
        say(f"{modality}: {source.name}: {sum(e.n_slices for e in got)} slices ({source.split})")

    if modality == "xray":
        for source, count in recipes.XRAY_DRR:
            run(
                source,
                lambda source=source, count=count: _drr_entries(
                    folder, source, count, downloads, rng
                ),
            )
        for source in recipes.XRAY_REAL:
            run(source, lambda source=source: _radiograph_entries(folder, source, downloads))
    else:
        for source in recipes.MRI if modality == "mri" else recipes.CT:
            run(source, lambda source=source: _slices_entries(folder, modality, source, downloads))
    check_splits([(e.volume_id, e.group, e.split) for e in entries], modality=modality)
    manifest = CorpusManifest(
        modality=modality, recipe_version=recipes.RECIPE_VERSION, volumes=entries, skipped=skipped
    )
    write_manifest(manifest, folder)
    return manifest
