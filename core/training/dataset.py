"""Image sets for training and validation, random patches and noisy pairs.

Images come either from a built corpus (``manifest.json`` + ``.npy`` stacks
of [0, 1] slices) or from a user folder of DICOM/PNG studies searched
recursively, split by series or file (never by slice). Everything here works
on float32 [0, 1] arrays; noise is drawn on the fly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from denoscope.core.errors import DenoscopeError
from denoscope.core.noise.sigma_map import noise_sigma_map
from denoscope.core.training.augment import (
    apply_geometry,
    draw_geometry,
    inherent_texture,
    scale_intensity,
)
from denoscope.core.training.noise_mix import (
    SLICE_LEVEL_MODELS,
    NoiseComponent,
    apply_noise,
    choose,
)

log = logging.getLogger(__name__)


@dataclass
class ImageStack:
    """Clean [0, 1] slices of one volume (or series, or file).

    Attributes
    ----------
    volume_id : str
        Identifier (the split unit).
    split : str
        ``"train"``, ``"val"`` or ``"test"``.
    frames : ndarray
        float32 (slices, rows, cols) in [0, 1] (may be a read-only memory map).
    source, licence : str
        Provenance for the model card.
    real : bool
        False for simulated images.
    """

    volume_id: str
    split: str
    frames: np.ndarray
    source: str = ""
    licence: str = ""
    real: bool = True


def corpus_stacks(folder: str | Path, split: str) -> list[ImageStack]:
    """Return the volumes of one split of a built corpus (memory-mapped).

    Parameters
    ----------
    folder : str or Path
        The corpus folder (holding ``manifest.json``).
    split : str
        ``"train"``, ``"val"`` or ``"test"``.

    Returns
    -------
    list of ImageStack
        One per volume of the split.
    """
    from denoscope.core.corpus import load_manifest

    folder = Path(folder)
    manifest = load_manifest(folder)
    return [
        ImageStack(
            v.volume_id,
            v.split,
            np.load(folder / v.file, mmap_mode="r", allow_pickle=False),
            v.source,
            v.licence,
            v.real,
        )
        for v in manifest.split(split)
    ]


def is_corpus(folder: str | Path) -> bool:
    """True when ``folder`` holds a corpus manifest."""
    return (Path(folder) / "manifest.json").is_file()


def folder_stacks(folder: str | Path, *, modality: str | None = None) -> list[ImageStack]:
    """Read every DICOM series and PNG file under a folder (recursively), split by series.

    Each series (DICOM, by SeriesInstanceUID) or PNG file is one split unit,
    assigned by a stable hash of its path (:func:`denoscope.core.corpus.splits.assign_group_splits`).
    Frames are normalised to [0, 1] with the rule of the given modality (or the
    study's own when omitted).

    Parameters
    ----------
    folder : str or Path
        The folder to search.
    modality : str, optional
        ``"mri"``, ``"ct"`` or ``"xray"``: the normalisation rule to apply.

    Returns
    -------
    list of ImageStack
        All series, each with its split.
    """
    from denoscope.core.corpus.splits import assign_group_splits
    from denoscope.core.errors import StudyLoadError
    from denoscope.core.intensity import normalization_for
    from denoscope.core.io import load_study

    folder = Path(folder)
    if not folder.is_dir():
        raise DenoscopeError("data folder not found", path=folder, fix="give an existing folder")
    candidates = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and (p.suffix.lower() in {".png", ".dcm", ".dicom", ".ima"} or not p.suffix)
    )
    units: dict[str, tuple[Path, str | None]] = {}
    for path in candidates:
        if path.suffix.lower() == ".png":
            units[str(path.relative_to(folder))] = (path, None)
            continue
        try:
            import pydicom

            ds = pydicom.dcmread(path, stop_before_pixels=True)
        except (OSError, ValueError, pydicom.errors.InvalidDicomError):
            continue
        uid = str(getattr(ds, "SeriesInstanceUID", "") or path.relative_to(folder))
        units.setdefault(uid, (path.parent, uid if hasattr(ds, "SeriesInstanceUID") else None))
        if not hasattr(ds, "SeriesInstanceUID"):
            units[uid] = (path, None)
    if not units:
        raise DenoscopeError(
            "no DICOM or PNG image found", path=folder, fix="point --data at a folder of images"
        )
    splits = assign_group_splits(sorted(units))
    stacks = []
    for key, (path, uid) in sorted(units.items()):
        try:
            study = load_study(path, series_uid=uid) if uid else load_study(path)
        except StudyLoadError as error:
            log.warning("skipping %s: %s", path, error)
            continue
        rule = modality or (study.modality if study.modality != "unknown" else "xray")
        frames = normalization_for(study.frames, rule).to_unit(study.frames)
        stacks.append(ImageStack(key, splits[key], frames, f"user data: {key}", "user-provided"))
    return stacks


def _pad_to(image: np.ndarray, size: int) -> np.ndarray:
    pr, pc = max(0, size - image.shape[0]), max(0, size - image.shape[1])
    if pr or pc:
        image = np.pad(image, ((pr // 2, pr - pr // 2), (pc // 2, pc - pc // 2)), mode="reflect")
    return image


class PatchSampler:
    """Draw random square patches from stacks of slices.

    Volumes are drawn with probability proportional to the square root of
    their number of slices (so one long volume does not drown the rest),
    slices uniformly inside a volume, positions uniformly. Nearly blank
    patches (standard deviation below ``min_std``) are redrawn, except a
    fraction ``background_keep`` of them, so the network still sees background.

    Parameters
    ----------
    stacks : sequence of ImageStack
        The training images.
    patch : int
        Patch side in pixels.
    min_std : float, optional
        Threshold of a "blank" patch.
    background_keep : float, optional
        Probability of keeping a blank patch.
    """

    def __init__(
        self,
        stacks: Sequence[ImageStack],
        patch: int,
        *,
        min_std: float = 0.02,
        background_keep: float = 0.15,
    ) -> None:
        if not stacks:
            raise DenoscopeError("no training images", fix="check the corpus or --data folder")
        self.stacks = list(stacks)
        self.patch = patch
        self.min_std = min_std
        self.background_keep = background_keep
        sizes = np.array([s.frames.shape[0] for s in self.stacks], dtype=float)
        self.p = np.sqrt(sizes) / np.sqrt(sizes).sum()

    def slice(self, rng: np.random.Generator) -> np.ndarray:
        """Draw one whole slice (float32, padded to at least the patch size)."""
        stack = self.stacks[int(rng.choice(len(self.stacks), p=self.p))]
        k = int(rng.integers(stack.frames.shape[0]))
        return _pad_to(np.asarray(stack.frames[k], dtype=np.float32), self.patch)

    def crop(self, image: np.ndarray, rng: np.random.Generator) -> tuple[int, int]:
        """Draw the top-left corner of a patch inside ``image``."""
        r = int(rng.integers(image.shape[0] - self.patch + 1))
        c = int(rng.integers(image.shape[1] - self.patch + 1))
        return r, c

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        """Draw one clean patch (float32, patch x patch)."""
        for _ in range(8):
            image = self.slice(rng)
            r, c = self.crop(image, rng)
            patch = image[r : r + self.patch, c : c + self.patch]
            if patch.std() >= self.min_std or rng.random() < self.background_keep:
                break
        return np.array(patch, dtype=np.float32)


class SliceNoiseBank:
    """(clean, noisy) whole slices for noise models that need whole slices.

    ``lowdose-ct`` simulates a scan (sinogram, Poisson, back-projection) and
    cannot act on a patch; its noisy slices are rendered once here, each at a
    level drawn from the component's range, and patches are cut from them.

    Parameters
    ----------
    sampler : PatchSampler
        Where slices are drawn from.
    component : NoiseComponent
        The slice-level noise and its level range.
    size : int
        Number of (clean, noisy) slices to render.
    rng : numpy.random.Generator
        Source of randomness.
    """

    def __init__(
        self,
        sampler: PatchSampler,
        component: NoiseComponent,
        size: int,
        rng: np.random.Generator,
    ) -> None:
        self.component = component
        self.triples: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for _ in range(size):
            clean = sampler.slice(rng)
            level = component.draw(rng)
            noisy = apply_noise(clean, component.name, level, rng)
            sigma = noise_sigma_map(component.name, clean, noisy, level)
            self.triples.append((clean, noisy, sigma))

    def sample(
        self, patch: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cut one (clean, noisy, sigma map) patch triple from a random rendered slice."""
        clean, noisy, sigma = self.triples[int(rng.integers(len(self.triples)))]
        r = int(rng.integers(clean.shape[0] - patch + 1))
        c = int(rng.integers(clean.shape[1] - patch + 1))
        window = (slice(r, r + patch), slice(c, c + patch))
        return clean[window], noisy[window], sigma[window]


class NoisyBatches:
    """Make (noisy, clean) training batches with blind noise, on the fly.

    Parameters
    ----------
    sampler : PatchSampler
        Clean patch source.
    mix : tuple of NoiseComponent
        The noise mix (see :mod:`denoscope.core.training.noise_mix`).
    rng : numpy.random.Generator
        This rank's generator.
    bank_size : int, optional
        Slices rendered per slice-level noise component.
    intensity_scaling : bool, optional
        Randomly scale clean intensities before noise.
    texture : float, optional
        Probability that a patch gets inherent texture
        (:func:`denoscope.core.training.augment.inherent_texture`) added to both
        its clean target and its noisy input, the noise-level map unchanged.
    """

    def __init__(
        self,
        sampler: PatchSampler,
        mix: tuple[NoiseComponent, ...],
        rng: np.random.Generator,
        *,
        bank_size: int = 48,
        intensity_scaling: bool = True,
        texture: float = 0.0,
    ) -> None:
        self.sampler = sampler
        self.mix = mix
        self.rng = rng
        self.intensity_scaling = intensity_scaling
        self.texture = texture
        self.banks = {
            c.name: SliceNoiseBank(sampler, c, bank_size, rng)
            for c in mix
            if c.name in SLICE_LEVEL_MODELS
        }

    def triple(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return one augmented (noisy, clean, sigma map) patch triple.

        The sigma map is the noise model's per-pixel Gaussian-equivalent level
        (:func:`denoscope.core.noise.sigma_map.noise_sigma_map`). With probability
        ``texture`` the same inherent texture is added to clean and noisy.
        """
        noisy, clean, sigma = self._noisy_triple()
        if self.texture > 0 and self.rng.random() < self.texture:
            grain = inherent_texture(clean.shape, self.rng)
            clean, noisy = clean + grain, noisy + grain
        return noisy, clean, sigma

    def _noisy_triple(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = self.rng
        name, level = choose(self.mix, rng)
        turns, flip = draw_geometry(rng)
        if name in self.banks:
            clean, noisy, sigma = self.banks[name].sample(self.sampler.patch, rng)
            return (
                apply_geometry(noisy, turns, flip),
                apply_geometry(clean, turns, flip),
                apply_geometry(sigma, turns, flip),
            )
        clean = apply_geometry(self.sampler.sample(rng), turns, flip)
        if self.intensity_scaling:
            clean = scale_intensity(clean, rng)
        noisy = apply_noise(clean, name, level, rng)
        return noisy, clean, noise_sigma_map(name, clean, noisy, level)

    def pair(self) -> tuple[np.ndarray, np.ndarray]:
        """Return one augmented (noisy, clean) patch pair."""
        noisy, clean, _ = self.triple()
        return noisy, clean

    def batch(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(noisy, clean)`` float32 arrays of shape (size, 1, patch, patch)."""
        noisy, clean, _ = self.batch_with_sigma(size)
        return noisy, clean

    def batch_with_sigma(self, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(noisy, clean, sigma)`` float32 arrays of shape (size, 1, patch, patch)."""
        triples = [self.triple() for _ in range(size)]
        noisy = np.stack([t[0] for t in triples])[:, None]
        clean = np.stack([t[1] for t in triples])[:, None]
        sigma = np.stack([t[2] for t in triples])[:, None]
        return noisy.astype(np.float32), clean.astype(np.float32), sigma.astype(np.float32)


@dataclass
class ValidationItem:
    """One fixed validation image: clean crop, noisy crop and the noise that made it."""

    clean: np.ndarray
    noisy: np.ndarray
    noise: str
    level: float
    volume_id: str
    sigma: np.ndarray | None = None


def validation_set(
    stacks: Sequence[ImageStack],
    settings: Sequence[tuple[str, float]],
    *,
    n_images: int = 16,
    crop: int = 128,
    seed: int = 0,
) -> list[ValidationItem]:
    """Build a fixed, seeded validation set: centre crops of slices under each noise setting.

    Slices are taken evenly across the validation volumes. Noise is drawn on
    the whole slice, then the crop is cut (so slice-level noise is physical).

    Parameters
    ----------
    stacks : sequence of ImageStack
        Validation volumes.
    settings : sequence of (str, float)
        Noise models and levels, each applied to every image.
    n_images : int, optional
        Number of slices.
    crop : int, optional
        Largest crop side (smaller slices are used whole).
    seed : int, optional
        Seed of the noise.

    Returns
    -------
    list of ValidationItem
        ``n_images * len(settings)`` items (fewer when there are fewer slices).
    """
    rng = np.random.default_rng(seed)
    index = [(i, k) for i, s in enumerate(stacks) for k in range(s.frames.shape[0])]
    if not index:
        return []
    picks = [index[int(j)] for j in np.unique(np.linspace(0, len(index) - 1, n_images).round())]
    items = []
    for i, k in picks:
        image = np.asarray(stacks[i].frames[k], dtype=np.float32)
        h, w = min(crop, image.shape[0]), min(crop, image.shape[1])
        r0, c0 = (image.shape[0] - h) // 2, (image.shape[1] - w) // 2
        for name, level in settings:
            noisy = apply_noise(image, name, level, rng)
            sigma = noise_sigma_map(name, image, noisy, level)
            window = (slice(r0, r0 + h), slice(c0, c0 + w))
            items.append(
                ValidationItem(
                    image[window].copy(),
                    noisy[window].copy(),
                    name,
                    level,
                    stacks[i].volume_id,
                    sigma[window].copy(),
                )
            )
    return items
