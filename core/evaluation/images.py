"""Test images for evaluation: a corpus split or a folder of DICOM/PNG studies.

Every image is a clean float32 (rows, cols) slice in [0, 1] (normalised with
the modality's rule), with an id saying where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class TestImage:
    """One clean test image.

    Attributes
    ----------
    image_id : str
        ``<volume>[<slice>]``.
    clean : ndarray
        float32 (rows, cols) in [0, 1].
    real : bool
        False for simulated images.
    """

    image_id: str
    clean: np.ndarray
    real: bool = True


def gather_images(
    data: str | Path,
    *,
    split: str = "test",
    modality: str | None = None,
    limit: int | None = None,
) -> list[TestImage]:
    """List the test images of a corpus split, or of every study in a folder.

    Parameters
    ----------
    data : str or Path
        A corpus folder (``manifest.json``) or a folder of DICOM/PNG images.
    split : str, optional
        Corpus split to use (ignored for plain folders, whose images are all used).
    modality : str, optional
        Normalisation rule for a plain folder.
    limit : int, optional
        Keep this many images, evenly spaced over the list (so every volume is sampled).

    Returns
    -------
    list of TestImage
        The images, in a stable order. Images of a plain folder are named by
        :func:`denoscope.core.privacy.pseudonym` of their series (no UIDs or
        file names in reports).
    """
    from denoscope.core.privacy import pseudonym
    from denoscope.core.training.dataset import corpus_stacks, folder_stacks, is_corpus

    corpus = is_corpus(data)
    stacks = corpus_stacks(data, split) if corpus else folder_stacks(data, modality=modality)
    index = [(s, k) for s in stacks for k in range(s.frames.shape[0])]
    if limit is not None and limit < len(index):
        keep = np.unique(np.linspace(0, len(index) - 1, limit).round().astype(int))
        index = [index[i] for i in keep]
    # A user's folder is named by series UIDs or file names: reports get pseudonyms.
    return [
        TestImage(
            f"{s.volume_id if corpus else pseudonym(s.volume_id)}[{k}]",
            np.array(s.frames[k], dtype=np.float32),
            s.real,
        )
        for s, k in index
    ]


def center_crop(image: np.ndarray, size: int | None) -> np.ndarray:
    """Cut the centred ``size`` x ``size`` window (the whole image where smaller)."""
    if size is None:
        return image
    h, w = min(size, image.shape[0]), min(size, image.shape[1])
    r, c = (image.shape[0] - h) // 2, (image.shape[1] - w) // 2
    return np.ascontiguousarray(image[r : r + h, c : c + w])


def resize_report1(image: np.ndarray) -> np.ndarray:
    """The first report's preprocessing: resize to 128 x 128 (anti-aliased), float32 [0, 1]."""
    from skimage.transform import resize

    out = resize(image, (128, 128), anti_aliasing=True, preserve_range=True)
    return np.clip(out, 0.0, 1.0).astype(np.float32)
