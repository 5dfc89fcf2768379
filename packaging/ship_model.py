"""Ship a trained model: copy a run's model into models/<modality>.safetensors with its card.

    python packaging/ship_model.py ~/.cache/denoscope/runs/ct-v2 ct

The weights are re-saved with :func:`denoscope.core.checkpoint.save_model` (so the card
names its new file and hash); the card keeps everything training recorded (command, data,
validation, lineage) and gets the release name ``Denoscope <modality> res-cae v2`` and a
description of what the model takes. Nothing is measured here.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DESCRIPTION = (
    "{label} denoiser, res-cae v2: residual autoencoder with a resize-convolution decoder "
    "(no per-phase weights, so no 2-pixel grid) and a per-pixel noise-level map input "
    "(FFDNet style; from the noise model for synthetic noise, estimated on real input, "
    "scaled by the strength control). Trained with `denoscope train` on patches of {patch} "
    "px with the texture loss (per-patch log-MSE + SSIM + amplitude spectrum) over white "
    "Gaussian sigma 0-0.5, the modality's physical noise down to nearly clean input, and "
    "clean input. Input and output in [0, 1] after the modality's normalisation."
)
LABELS = {"mri": "MRI", "ct": "CT", "xray": "X-ray"}


def main(argv: list[str]) -> int:
    """Ship ``<run>/model.safetensors`` as ``models/<modality>.safetensors``."""
    from denoscope.core.checkpoint import load_model, save_model

    run, modality = Path(argv[0]).expanduser(), argv[1]
    loaded = load_model(run / "model.safetensors")
    patch = (
        loaded.card.training.details.get("config", {}).get("patch")
        if loaded.card.training
        else None
    )
    card = loaded.card.model_copy(
        update={
            "name": f"Denoscope {modality} res-cae v2",
            "description": DESCRIPTION.format(label=LABELS[modality], patch=patch or "?"),
        }
    )
    target = ROOT / "models" / f"{modality}.safetensors"
    save_model(target, loaded.module, card)
    print(f"shipped {run / 'model.safetensors'} as {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
