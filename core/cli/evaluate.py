"""``denoscope evaluate``: a model vs noisy input, classical denoisers and BM3D on test images."""

from __future__ import annotations

import argparse

from denoscope.core.cli._lesion_args import add_lesion_range_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` command."""
    p = subparsers.add_parser(
        "evaluate",
        help="measure a model against the classical denoisers on a folder or corpus split",
        description=(
            "Per-image and mean PSNR, SSIM, MAE, GMSD (edges) and LPIPS of the noisy input, the "
            "model, the classical denoisers and BM3D (when installed), with time per image."
        ),
    )
    p.add_argument(
        "--model", required=True, help="model .safetensors file, or mri/ct/xray for a shipped model"
    )
    p.add_argument(
        "--data",
        required=True,
        metavar="DIR",
        help="corpus folder (uses --split) or folder of DICOM/PNG images",
    )
    p.add_argument(
        "--split",
        default="test",
        choices=["train", "val", "test"],
        help="corpus split (default test)",
    )
    p.add_argument(
        "--noise",
        action="append",
        metavar="NAME[:LEVEL]",
        help="noise model, optionally with its level (repeatable; default gaussian)",
    )
    p.add_argument("--level", type=float, help="level of a single --noise")
    p.add_argument(
        "--report1-protocol",
        action="store_true",
        help="the first report's protocol: 128x128 resize and its Gaussian preset",
    )
    p.add_argument("--limit", type=int, help="use N images evenly spaced over the set")
    p.add_argument("--crop", type=int, help="centre crop side in pixels (after noise)")
    p.add_argument(
        "--baselines",
        help="comma-separated classical methods (default: median,gaussian,bilateral,tv,wavelet,nlmeans,bm3d)",
    )
    p.add_argument(
        "--sigma",
        choices=["oracle", "estimate"],
        default="oracle",
        help="noise sigma given to the baselines for non-Gaussian noise (default: measured oracle)",
    )
    p.add_argument("--no-lpips", action="store_true", help="skip LPIPS")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--strength",
        type=float,
        default=1.0,
        help="multiplies the noise level given to a model that takes one (default 1)",
    )
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--json", metavar="OUT", help="write means and per-image rows as JSON")
    p.add_argument("--csv", metavar="OUT", help="write per-image rows as CSV")
    p.add_argument("--md", metavar="OUT", help="write the mean table as markdown")
    p.add_argument("--plot", metavar="OUT.png", help="write the per-image metric plot")
    p.add_argument(
        "--baseline-cache",
        metavar="DIR",
        help="reuse baseline results kept here (keyed by image and noise hashes)",
    )
    p.add_argument(
        "--update-card",
        metavar="KEY",
        help="record the means and the bar check in the model card under validation_metrics[KEY]",
    )
    p.add_argument("--title", help="title of the markdown table")
    p.add_argument(
        "--lesions",
        type=int,
        metavar="N",
        help="also run the lesion-insertion test with N discs per image (retained contrast, "
        "lesions lost, NPW d', localisation AUC); results join --json and --md",
    )
    add_lesion_range_arguments(p)
    p.add_argument(
        "--lesion-plot",
        metavar="OUT.png",
        help="with --lesions: retained contrast against contrast-to-noise, per method",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate and print the mean table."""

    from tqdm import tqdm

    from denoscope.core.checkpoint import load_card
    from denoscope.core.errors import ParameterError
    from denoscope.core.evaluation import DEFAULT_BASELINES, evaluate, gather_images, parse_setting
    from denoscope.core.evaluation.report import (
        markdown_table,
        plot_per_image,
        update_card,
        write_csv,
        write_json,
    )
    from denoscope.core.review import model_path_for

    model = model_path_for("unknown", args.model)  # a file, or mri/ct/xray: the shipped one
    card = load_card(model)
    modality = card.modality if card.modality != "any" else "ct"
    if args.report1_protocol:
        settings = [("gaussian-report1", 0.45)]
    else:
        names = args.noise or ["gaussian"]
        if args.level is not None:
            if len(names) != 1 or ":" in names[0]:
                raise ParameterError(
                    "--level goes with a single --noise NAME", got=", ".join(names)
                )
            names = [f"{names[0]}:{args.level}"]
        settings = [parse_setting(n, modality) for n in names]
    images = gather_images(args.data, split=args.split, modality=modality, limit=args.limit)
    if not images:
        raise ParameterError("no test images found", got=str(args.data))
    baselines = args.baselines.split(",") if args.baselines else list(DEFAULT_BASELINES)
    bar = tqdm(total=len(images) * len(settings), desc="evaluate", mininterval=2.0)

    def progress(done: int, total: int) -> None:
        bar.update(done - bar.n)

    result = evaluate(
        model,
        images,
        settings,
        baselines=baselines,
        crop=args.crop,
        report1=args.report1_protocol,
        sigma=args.sigma,
        lpips=not args.no_lpips,
        seed=args.seed,
        device=args.device,
        progress=progress,
        baseline_cache=args.baseline_cache,
        strength=args.strength,
    )
    bar.close()
    result.info["data"] = str(args.data)
    result.info["split"] = args.split
    table = markdown_table(result, title=args.title)
    if args.lesions:
        from denoscope.core.cli._lesion_args import lesion_ranges
        from denoscope.core.evaluation.lesions import (
            lesion_evaluation,
            lesion_markdown,
            lesion_plot,
        )

        radius_range, contrast_range = lesion_ranges(args)
        lesion_bar = tqdm(total=len(images) * len(settings), desc="lesions", mininterval=2.0)
        lesions = lesion_evaluation(
            model,
            images,
            settings,
            baselines=baselines,
            n_lesions=args.lesions,
            radius_range=radius_range,
            contrast_range=contrast_range,
            crop=args.crop,
            seed=args.seed,
            device=args.device,
            strength=args.strength,
            progress=lambda done, _total: lesion_bar.update(done - lesion_bar.n),
        )
        lesion_bar.close()
        result.info["lesions"] = lesions
        table += "\n\n" + lesion_markdown(lesions)
        if args.lesion_plot:
            lesion_plot(lesions, args.lesion_plot, overwrite=True)
    print(table)
    if args.md:
        from denoscope.core.io.outputs import write_text

        write_text(args.md, table + "\n", overwrite=True)
    if args.json:
        write_json(result, args.json)
    if args.csv:
        write_csv(result, args.csv)
    if args.plot:
        plot_per_image(result, args.plot)
    if args.update_card:
        update_card(result, model, key=args.update_card)
    return 0
