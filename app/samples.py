"""The bundled sample studies as the viewer offers them (no Qt here)."""

from __future__ import annotations

#: The model modality of each bundled sample (PNG samples carry none).
SAMPLE_MODALITIES = {"ct": "ct", "mri": "mri", "xray": "xray", "mri-brain": "mri"}

#: Labels of the File > Open sample menu.
SAMPLE_LABELS = {
    "ct": "CT (thorax slice)",
    "mri": "MRI (small)",
    "xray": "X-ray (chest CR)",
    "mri-brain": "MRI brain (MNI152 T1 slice)",
}
