"""Rebuild the bundled sample studies from their PyPI sources (see SOURCES.md).

Run from the repository root with the ``corpus`` extra installed::

    .venv/bin/python resources/samples/make_samples.py

It copies two pydicom test files as they are, writes a quarter-resolution copy
of pydicom-data's MONOCHROME1 chest radiograph (4×4 block mean, stored
values kept in 15 bits, geometry tags updated), and writes one axial slice of
the MNI152 2009a T1 template as a 16-bit grey PNG.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RADIOGRAPH_FACTOR = 4
MNI_AXIAL_INDEX = 90


def copy_pydicom_files() -> None:
    """Copy ``CT_small.dcm`` and ``MR_small.dcm`` from pydicom's test data unchanged."""
    from pydicom.data import get_testdata_file

    for name in ("CT_small.dcm", "MR_small.dcm"):
        shutil.copyfile(get_testdata_file(name), HERE / name)


def write_quarter_radiograph() -> None:
    """Write RG1_UNCI.dcm downsampled by a 4×4 block mean, as uncompressed DICOM."""
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    from skimage.transform import downscale_local_mean

    ds = pydicom.dcmread(get_testdata_file("RG1_UNCI.dcm"))
    stored = ds.pixel_array.astype(np.float64)
    factor = RADIOGRAPH_FACTOR
    small = downscale_local_mean(stored, (factor, factor))
    rows, cols = stored.shape[0] // factor, stored.shape[1] // factor
    small = np.rint(small[:rows, :cols]).astype(np.uint16)
    ds.Rows, ds.Columns = rows, cols
    ds.PixelData = small.tobytes()
    for keyword in ("PixelSpacing", "ImagerPixelSpacing"):
        if keyword in ds and all(float(v) > 0 for v in ds[keyword].value):
            ds[keyword].value = [float(v) * factor for v in ds[keyword].value]
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.DerivationDescription = (
        f"Downsampled {factor}x{factor} block mean from pydicom-data RG1_UNCI.dcm for Denoscope"
    )
    ds.save_as(HERE / "chest_cr_RG1_UNCI_quarter.dcm", enforce_file_format=True)


def write_mni_slice() -> None:
    """Write axial slice 90 of the MNI152 2009a T1 template as a 16-bit grey PNG."""
    import nibabel as nib
    import nilearn
    from PIL import Image

    source = (
        Path(nilearn.__file__).parent
        / "datasets/data/mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"
    )
    volume = np.asarray(nib.load(source).dataobj, dtype=np.float64)
    axial = volume[:, :, MNI_AXIAL_INDEX].T[::-1]  # rows: anterior at top; cols: patient right→left
    scaled = np.rint(axial / max(float(axial.max()), 1.0) * 65535.0).astype(np.uint16)
    Image.fromarray(scaled).save(HERE / "mni152_t1_axial_z90.png")


if __name__ == "__main__":
    copy_pydicom_files()
    write_quarter_radiograph()
    write_mni_slice()
    for path in sorted(HERE.iterdir()):
        print(f"{path.name}\t{path.stat().st_size} bytes")
