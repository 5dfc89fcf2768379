"""Shared helpers of the reader-study tests: tiny cases, a tiny model, a study, scripted readers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: Fast methods used by the tests (BM3D is optional and slow).
METHODS = ("model", "gaussian", "nlmeans", "noisy")


def make_cases(folder: Path, n: int = 3, size: int = 64) -> Path:
    """Write ``n`` 8-bit PNG crops of scikit-image's camera into ``folder`` (created)."""
    from PIL import Image
    from skimage import data

    folder.mkdir(parents=True, exist_ok=True)
    camera = data.camera()
    for i in range(n):
        r, c = 60 + 37 * i, 100 + 53 * i
        Image.fromarray(camera[r : r + size, c : c + size]).save(folder / f"img{i + 1}.png")
    return folder


def make_model(folder: Path) -> Path:
    """A tiny untrained res-cae (seeded) saved with its card."""
    import torch

    from denoscope.core.checkpoint import save_model
    from denoscope.core.model_card import ModelCard
    from denoscope.core.models import ResCAEConfig, build_model

    torch.manual_seed(0)
    config = ResCAEConfig(widths=(4, 8), convs_per_level=1, bottleneck_convs=1)
    path = folder / "tiny-ct.safetensors"
    save_model(
        path,
        build_model(config),
        ModelCard(name="tiny res-cae", architecture=config, modality="ct"),
    )
    return path


def make_study(
    folder: Path,
    *,
    design: str = "likert",
    methods: tuple[str, ...] = METHODS,
    n_cases: int = 3,
    with_reference: bool = False,
    seed: int = 0,
    criteria: list[tuple[str, str]] | None = None,
    name: str = "study.denostudy",
) -> Path:
    """Create a study of tiny PNG cases with the tiny model; returns its path."""
    from denoscope.core.study import StudySpec, create_study
    from denoscope.core.study.design import DEFAULT_CRITERIA

    cases = make_cases(folder / "cases", n=n_cases)
    model = make_model(folder) if "model" in methods else None
    spec = StudySpec(
        cases=cases,
        methods=list(methods),
        design=design,
        noise="gaussian",
        level=0.1,
        seed=seed,
        model=model,
        with_reference=with_reference,
        criteria=list(criteria or DEFAULT_CRITERIA[:2]),
        lpips=False,
        device="cpu",
    )
    return create_study(spec, folder / name)


def answer_all(path: Path, reader: str, *, seed: int, stop: int | None = None) -> int:
    """A scripted reader answering through the session API with seeded random answers."""
    from denoscope.core.study import ReaderSession

    rng = np.random.default_rng(seed)
    with ReaderSession(path, reader) as session:
        count = 0
        while (position := session.position()) < session.total:
            if stop is not None and count >= stop:
                break
            if session.design == "likert":
                ratings = {k: int(rng.integers(1, 6)) for k, _q in session.criteria}
                session.answer(position, seconds=float(rng.uniform(2, 9)), ratings=ratings)
            else:
                side = "left" if rng.random() < 0.5 else "right"
                session.answer(
                    position,
                    seconds=float(rng.uniform(2, 9)),
                    side=side,
                    confidence=int(rng.integers(1, 4)),
                )
            count += 1
    return count
