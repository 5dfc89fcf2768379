"""A tiny synthetic corpus (random ellipse phantoms) for tests and smoke runs.

It has the layout and manifest of a real corpus, so every training and
evaluation path can be exercised in seconds without downloading anything.
It is never used to train a shipped model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from denoscope.core.corpus.manifest import CorpusManifest, VolumeEntry, save_npy, write_manifest
from denoscope.core.corpus.recipes import RECIPE_VERSION


def ellipse_phantom(shape: tuple[int, int], *, rng: np.random.Generator, n: int = 8) -> np.ndarray:
    """Return a float32 [0, 1] image of ``n`` overlapping soft-edged ellipses on a dark background.

    Parameters
    ----------
    shape : tuple of int
        (rows, cols).
    rng : numpy.random.Generator
        Source of randomness.
    n : int, optional
        Number of ellipses.

    Returns
    -------
    ndarray
        float32 (rows, cols) in [0, 1].
    """
    from scipy import ndimage

    rr, cc = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    image = np.zeros(shape, np.float32)
    for _ in range(n):
        r0, c0 = rng.uniform(0.2, 0.8) * shape[0], rng.uniform(0.2, 0.8) * shape[1]
        a, b = rng.uniform(0.05, 0.35) * shape[0], rng.uniform(0.05, 0.35) * shape[1]
        t = rng.uniform(0, np.pi)
        y, x = rr - r0, cc - c0
        u, v = x * np.cos(t) + y * np.sin(t), -x * np.sin(t) + y * np.cos(t)
        image[(u / b) ** 2 + (v / a) ** 2 <= 1] += rng.uniform(-0.3, 0.6)
    image = ndimage.gaussian_filter(image, 0.8)
    return np.clip(image - image.min(), 0, None) / max(float(np.ptp(image)), 1e-6)


def write_synthetic_corpus(
    folder: str | Path,
    modality: str = "mri",
    *,
    volumes: tuple[int, int, int] = (2, 1, 1),
    slices: int = 3,
    size: int = 64,
    seed: int = 0,
) -> CorpusManifest:
    """Write a tiny phantom corpus with a manifest.

    Parameters
    ----------
    folder : str or Path
        The corpus folder to create.
    modality : str, optional
        Recorded modality.
    volumes : tuple of int, optional
        Number of volumes in the train, val and test splits.
    slices : int, optional
        Slices per volume.
    size : int, optional
        Slice side in pixels.
    seed : int, optional
        Seed of the phantoms.

    Returns
    -------
    CorpusManifest
        The written manifest.
    """
    folder = Path(folder)
    (folder / "volumes").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    entries = []
    for split, count in zip(("train", "val", "test"), volumes, strict=True):
        for i in range(count):
            vid = f"phantom-{split}-{i}"
            stack = np.stack([ellipse_phantom((size, size), rng=rng) for _ in range(slices)])
            save_npy(folder / "volumes" / f"{vid}.npy", stack)
            entries.append(
                VolumeEntry(
                    volume_id=vid,
                    group=vid,
                    source="synthetic ellipse phantom",
                    licence="public domain (generated)",
                    modality=modality,
                    split=split,
                    file=f"volumes/{vid}.npy",
                    n_slices=slices,
                    rows=size,
                    cols=size,
                    normalization={"kind": "fixed", "low": 0.0, "high": 1.0},
                    real=False,
                    note="synthetic, for tests",
                )
            )
    manifest = CorpusManifest(modality=modality, recipe_version=RECIPE_VERSION, volumes=entries)
    write_manifest(manifest, folder)
    return manifest
