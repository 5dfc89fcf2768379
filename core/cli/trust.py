"""``denoscope trust``: where a model removes or invents structure, and whether it erases lesions.

On one clean image (a file, or one image of a folder or corpus split) this
inserts low-contrast discs, adds the chosen noise, denoises with the model
and the baselines, and reports per method the retained contrast per lesion,
the NPW matched-filter d′, the fraction of lesions lost and the localisation
ROC AUC of the removed-structure map, the pure-noise test, and the model's
maps (removed structure, invented and lost edges, signed difference in
modality units, uncertainty over K noise re-draws). Outputs: a markdown
report on stdout (``--md`` to a file), ``--json`` and ``--figure``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from denoscope.core.cli._lesion_args import add_lesion_range_arguments, lesion_ranges


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``trust`` command."""
    p = subparsers.add_parser(
        "trust",
        help="lesion-insertion and pure-noise hallucination tests with trust maps",
        description=(
            "Insert low-contrast discs into a clean image, add noise, denoise with the model and "
            "baselines; report retained contrast, NPW d', lesions lost, localisation AUC of the "
            "removed-structure map, the pure-noise test and the model's trust maps."
        ),
    )
    p.add_argument("data", type=Path, metavar="PATH", help="image file, folder or corpus folder")
    p.add_argument(
        "--model", required=True, help="model .safetensors file, or mri/ct/xray for a shipped model"
    )
    p.add_argument("--split", default="test", choices=["train", "val", "test"])
    p.add_argument("--index", type=int, default=0, help="which image of a folder or split")
    p.add_argument("--crop", type=int, default=None, help="centre crop side in pixels")
    p.add_argument(
        "--noise",
        default=None,
        metavar="NAME[:LEVEL]",
        help="noise model and level (default: the modality's physical noise at its default)",
    )
    p.add_argument("--lesions", type=int, default=12, help="discs to insert (default 12)")
    add_lesion_range_arguments(p)
    p.add_argument(
        "--baselines",
        default="nlmeans",
        help="comma-separated classical methods (default nlmeans; bm3d when installed)",
    )
    p.add_argument("--redraws", type=int, default=8, help="K noise re-draws (0: no uncertainty)")
    p.add_argument("--no-pure-noise", action="store_true", help="skip the flat-field test")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu")
    p.add_argument("--json", metavar="OUT", type=Path, help="write the record as JSON")
    p.add_argument("--md", metavar="OUT", type=Path, help="write the markdown report")
    p.add_argument("--figure", metavar="OUT.png", type=Path, help="write the figure")
    p.add_argument("--title", help="title of the report")
    p.add_argument(
        "--window",
        metavar="CENTER,WIDTH",
        help="display window of the figure in modality units (e.g. 40,80 for brain CT)",
    )
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.set_defaults(func=run)


def _load_image(args: argparse.Namespace, modality: str):
    """(image_id, clean01 slice, (modality value at 0, units per [0, 1] unit), unit, pixel mm)."""
    import numpy as np

    from denoscope.core.errors import ParameterError
    from denoscope.core.intensity import normalization_for

    path = args.data.expanduser()
    if not path.exists():
        raise ParameterError("no such file or folder", path=path)
    if path.is_file():
        from denoscope.core.io import load_study

        study = load_study(path)
        norm = normalization_for(study.frames, modality)
        frames = study.frames
        if not 0 <= args.index < frames.shape[0]:
            raise ParameterError(
                "--index is outside the study",
                got=str(args.index),
                expected=f"0..{len(frames) - 1}",
            )
        spacing = study.pixel_spacing
        pixel = float(np.mean(spacing)) if spacing else None
        clean = norm.to_unit(frames[args.index])
        unit = "HU" if modality == "ct" else "a.u."
        return f"{path.name}[{args.index}]", clean, (norm.low, norm.span), unit, pixel
    from denoscope.core.evaluation import gather_images

    images = gather_images(path, split=args.split, modality=modality)
    if not images:
        raise ParameterError("no images found", path=path, fix="pass an image file or a corpus")
    if not 0 <= args.index < len(images):
        raise ParameterError(
            "--index is outside the image list",
            got=str(args.index),
            expected=f"0..{len(images) - 1}",
        )
    item = images[args.index]
    if modality == "ct":  # corpus CT slices use the fixed HU window
        from denoscope.core.intensity import CT_RANGE_HU

        low, high = CT_RANGE_HU
        return item.image_id, item.clean, (low, high - low), "HU", None
    return item.image_id, item.clean, (0.0, 1.0), "[0, 1] units", None


def run(args: argparse.Namespace) -> int:
    """Run the trust tests on one image and write the reports."""
    import json

    import numpy as np

    from denoscope.core.checkpoint import load_model
    from denoscope.core.errors import ParameterError
    from denoscope.core.evaluation import parse_setting
    from denoscope.core.evaluation.images import center_crop
    from denoscope.core.io.outputs import check_output, write_text
    from denoscope.core.noise import NOISE_MODELS
    from denoscope.core.training.noise_mix import PHYSICAL_NOISE, SLICE_LEVEL_MODELS
    from denoscope.core.trust import baseline_denoiser, model_denoiser
    from denoscope.core.trust.report import trust_figure, trust_markdown
    from denoscope.core.trust.run import run_trust

    outputs = [p for p in (args.json, args.md, args.figure) if p is not None]
    for out in outputs:
        check_output(out, overwrite=args.force, inputs=[args.data], overwrite_hint="pass --force")
    if args.lesions < 2:
        raise ParameterError("--lesions must be at least 2", got=str(args.lesions))
    radius_range, contrast_range = lesion_ranges(args)
    if args.redraws == 1 or args.redraws < 0:
        raise ParameterError(
            "--redraws takes 0 (no uncertainty map) or at least 2", got=str(args.redraws)
        )
    model_path = args.model
    if model_path in ("mri", "ct", "xray"):
        from denoscope.core.model_registry import shipped_model

        model_path = shipped_model(model_path)
    loaded = load_model(model_path)
    modality = loaded.card.modality if loaded.card.modality in ("mri", "ct", "xray") else "ct"
    noise, level = parse_setting(args.noise or PHYSICAL_NOISE[modality], modality)
    image_id, full, (low, span), unit, pixel = _load_image(args, modality)
    window = None
    if args.window:
        try:
            center, width = (float(v) for v in args.window.split(","))
        except ValueError:
            raise ParameterError(
                "--window takes CENTER,WIDTH", got=args.window, expected="e.g. 40,80"
            ) from None
        window = ((center - width / 2 - low) / span, (center + width / 2 - low) / span)
    full = np.asarray(full, np.float32)
    clean = center_crop(full, args.crop)
    apply_noise = None
    if noise in SLICE_LEVEL_MODELS and clean.shape != full.shape:
        r0, c0 = (full.shape[0] - clean.shape[0]) // 2, (full.shape[1] - clean.shape[1]) // 2

        def apply_noise(crop01, seed):  # slice-level physics: noise on the whole slice, then crop
            whole = full.copy()
            whole[r0 : r0 + crop01.shape[0], c0 : c0 + crop01.shape[1]] = crop01
            rng = np.random.default_rng([seed, 1])
            noisy = NOISE_MODELS[noise].apply(whole, level, rng=rng, pixel_size_mm=pixel)
            return center_crop(np.asarray(noisy, np.float32), args.crop)

    if noise.startswith("gaussian"):
        sigma = float(level)
    else:
        rng = np.random.default_rng([args.seed, 1])
        probe = (
            apply_noise(clean, args.seed)
            if apply_noise
            else NOISE_MODELS[noise].apply(clean, level, rng=rng, pixel_size_mm=pixel)
        )
        sigma = float(np.std(np.asarray(probe, np.float64) - clean))
    names = [b.strip() for b in args.baselines.split(",") if b.strip()]
    baselines = {name: baseline_denoiser(name, sigma) for name in names}
    run_result = run_trust(
        clean,
        model_denoiser(loaded, device=args.device, noise=noise, level=level, pixel_size_mm=pixel),
        baselines,
        noise=noise,
        level=level,
        image_id=image_id,
        scale=span,
        unit=unit,
        n_lesions=args.lesions,
        radius_range=radius_range,
        contrast_range=contrast_range,
        seed=args.seed,
        pixel_size_mm=pixel,
        redraws=args.redraws,
        pure_noise=not args.no_pure_noise,
        apply_noise=apply_noise,
        progress=lambda step: print(f"… {step}", flush=True),
    )
    run_result.info.update(
        model=Path(model_path).name,
        model_card=loaded.card.name,
        crop=args.crop,
        baseline_sigma=sigma,
        command="denoscope trust " + " ".join(_argv(args)),
    )
    text = trust_markdown(run_result, title=args.title)
    print(text)
    if args.md:
        write_text(args.md, text + "\n", overwrite=args.force)
    if args.json:
        record = json.dumps(run_result.as_json(), indent=2, default=_jsonable)
        write_text(args.json, record + "\n", overwrite=args.force)
    if args.figure:
        trust_figure(run_result, args.figure, window=window, overwrite=args.force)
        print(f"figure: {args.figure}")
    return 0


def _argv(args: argparse.Namespace) -> list[str]:
    """The command's arguments as typed (home folder as ``~``), shell-quoted, for the record."""
    import shlex
    import sys

    if len(sys.argv) < 2 or sys.argv[1] != "trust":
        return []
    home = str(Path.home())
    return [
        "~" + shlex.quote(a[len(home) :]) if a.startswith(home + "/") else shlex.quote(a)
        for a in sys.argv[2:]
    ]


def _jsonable(value):
    import math

    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    return float(value)
