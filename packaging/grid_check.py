"""Grid texture in flat brain tissue: shipped CT model, previous model, BM3D and the input.

    .venv/bin/python packaging/grid_check.py [--png resources/readme/grid-check.png]

On the held-out head CT (pydicom-data eCT_Supplemental, both slices; never trained on),
at 25 % dose, prints per method the RMS amplitude in HU of the period-2 patterns of the
error (denoscope.core.metrics.grid.grid_amplitude) over the flat regions of the truth
(flat_mask: no edge within 6 px; window 2 px), next to the error's RMS there, and the global grid
index. With --png, writes 3x close-ups at a brain window (W 80 / L 40): truth, noisy,
previous model (v1), shipped model (v2), BM3D.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HU_LOW, HU_RANGE = -1024.0, 4095.0

#: Local window (pixels) of the grid amplitude and of the flat mask: small, so the
#: phantom-like head CT still has flat tissue 6 px away from every edge.
WINDOW = 2.0


def _brain(a: np.ndarray) -> np.ndarray:
    hu = a * HU_RANGE + HU_LOW
    return (np.clip((hu - 0.0) / 80.0, 0, 1) * 255).astype(np.uint8)


def main() -> int:
    """Print the table (and write the close-ups)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path)
    args = parser.parse_args()

    from pydicom.data import get_testdata_file

    from denoscope.core.baselines import BASELINES
    from denoscope.core.checkpoint import load_model
    from denoscope.core.inference import denoise
    from denoscope.core.intensity import normalization_for
    from denoscope.core.io import load_study
    from denoscope.core.metrics.grid import flat_mask, grid_amplitude, grid_index
    from denoscope.core.noise import add_noise
    from denoscope.core.noise.sigma_map import noise_sigma_map
    from denoscope.core.review.study import pixel_size_mm

    study = load_study(get_testdata_file("eCT_Supplemental.dcm"))
    frames = normalization_for(study.frames, "ct").to_unit(study.frames)
    models = {
        "previous (v1)": load_model(ROOT / "models/v1/ct.safetensors"),
        "shipped (v2)": load_model(ROOT / "models/ct.safetensors"),
    }
    rows: dict[str, list[tuple[float, float, float]]] = {}
    crops = []
    for index, clean in enumerate(frames):
        clean = np.ascontiguousarray(clean, dtype=np.float32)
        noisy = add_noise(clean, "lowdose-ct", 0.25, rng=index, pixel_size_mm=pixel_size_mm(study))
        sigma = noise_sigma_map("lowdose-ct", clean, noisy, 0.25)
        outputs = {"noisy input": noisy}
        for name, loaded in models.items():
            level = sigma if getattr(loaded.module, "noise_level_input", False) else None
            outputs[name] = denoise(noisy, loaded, device="cpu", noise_level=level).image
        if "bm3d" in BASELINES:
            oracle = float(np.std(noisy - clean))
            outputs["BM3D"] = BASELINES["bm3d"].apply(noisy, level=oracle)
        mask = flat_mask(clean, data_range=1.0, window=WINDOW) & (clean > 0.2)
        for name, out in outputs.items():
            amplitude = (
                grid_amplitude(clean, out, data_range=1.0, mask=mask, window=WINDOW) * HU_RANGE
            )
            error = float(np.sqrt(np.mean((out - clean)[mask] ** 2))) * HU_RANGE
            rows.setdefault(name, []).append(
                (amplitude, error, grid_index(clean, out, data_range=1.0))
            )
        if index == 1:
            r0, c0 = 180, 180
            crops = [_brain(a[r0 : r0 + 128, c0 : c0 + 128]) for a in (clean, *outputs.values())]
    print("held-out head CT (pydicom-data eCT, 2 slices), low-dose CT at 25 % dose")
    print(
        f"{'method':<15} {'grid RMS in flat tissue (HU)':>29} {'error RMS there (HU)':>21} "
        f"{'grid index':>11}"
    )
    for name, values in rows.items():
        a, e, g = (float(np.mean([v[i] for v in values])) for i in range(3))
        print(f"{name:<15} {a:>29.2f} {e:>21.2f} {g:>11.2f}")
    if args.png and crops:
        from PIL import Image

        from denoscope.core.io.outputs import write_bytes

        strip = np.concatenate([np.kron(c, np.ones((3, 3), np.uint8)) for c in crops], axis=1)
        buffer = io.BytesIO()
        Image.fromarray(strip).save(buffer, format="PNG")
        write_bytes(args.png, buffer.getvalue(), overwrite=True)
        print(f"wrote {args.png}: truth | {' | '.join(rows)} (W 80 / L 40, 3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
