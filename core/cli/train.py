"""``denoscope train``: train a blind denoiser for one modality (torchrun-ready)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``train`` command."""
    p = subparsers.add_parser(
        "train",
        help="train a denoising model (runs under torchrun for several processes)",
        description=(
            "Train a blind denoiser on random patches of a built corpus or of your own folder "
            "of DICOM/PNG images, with noise drawn on the fly. Under `torchrun --nproc_per_node N "
            "-m denoscope train ...` it trains with DistributedDataParallel."
        ),
    )
    p.add_argument("--modality", choices=["mri", "ct", "xray"], required=True)
    p.add_argument(
        "--arch", default="res-cae", help="cae, dense-cae, res-cae or dncnn (default res-cae)"
    )
    p.add_argument(
        "--arch-json",
        metavar="JSON",
        help='full architecture config, e.g. \'{"arch": "res-cae", "widths": [32, 48, 64]}\'',
    )
    p.add_argument(
        "--data",
        metavar="DIR",
        help="corpus folder or a folder of DICOM/PNG images (default: the built corpus)",
    )
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--steps", type=int, default=200, help="optimiser steps per epoch (default 200)")
    p.add_argument("--batch", type=int, default=16, help="patches per step and process")
    p.add_argument("--patch", type=int, default=128, help="patch side in pixels (default 128)")
    p.add_argument(
        "--loss", choices=["mse", "l1", "poisson", "mse+ssim", "psnr", "texture"], default="mse"
    )
    p.add_argument(
        "--init",
        metavar="FILE",
        help="start from these weights: a model .safetensors, or a run's checkpoint/last.safetensors "
        "(its best weights)",
    )
    p.add_argument(
        "--init-transfer",
        action="store_true",
        help="--init weights of a related configuration (e.g. a v1 res-cae): copy what fits, "
        "adapt known shape changes, initialise the rest fresh",
    )
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--patience", type=int, default=10, help="early stopping patience (epochs)")
    p.add_argument("--val-images", type=int, default=16)
    p.add_argument(
        "--bank-size", type=int, default=48, help="CT: slices rendered with low-dose noise"
    )
    p.add_argument(
        "--texture",
        type=float,
        default=0.0,
        help="share of patches given inherent texture the noise map does not describe, "
        "so the network removes only the noise it is told of (0 to 1)",
    )
    p.add_argument("--max-minutes", type=float, help="stop training after this wall time")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, help="torch CPU threads per process")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/<modality>-<arch>)")
    p.add_argument("--resume", action="store_true", help="continue from <out>/checkpoint")
    p.add_argument(
        "--force",
        action="store_true",
        help="start a new run in an --out folder that already holds one (replaces its model, "
        "card and history)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def command_line(argv: list[str]) -> str:
    """Reconstruct the command that started this process (torchrun included)."""
    import os
    import shlex

    world = int(os.environ.get("WORLD_SIZE", "1"))
    args = " ".join(shlex.quote(a) for a in argv)
    if world > 1:
        return f"torchrun --nproc_per_node {os.environ.get('LOCAL_WORLD_SIZE', world)} -m denoscope {args}"
    return f"denoscope {args}"


def check_run_folder(out: Path, *, resume: bool, force: bool) -> None:
    """Refuse to start a new run over an existing one unless ``--force`` or ``--resume``.

    Raises
    ------
    OutputExistsError
        ``out`` holds a run (a model, a card, a history or a checkpoint).
    ParameterError
        ``--resume`` and ``--force`` together.
    """
    from denoscope.core.errors import OutputExistsError, ParameterError
    from denoscope.core.model_naming import RUN_FILES

    if resume and force:
        raise ParameterError(
            "--resume continues the run in --out and --force replaces it",
            fix="Give one of --resume or --force",
        )
    found = [name for name in RUN_FILES if (out / name).exists()]
    if found and not (resume or force):
        raise OutputExistsError(
            "this run folder already holds a run",
            path=out,
            got=", ".join(found),
            fix="Pass --resume to continue it, --force to replace it, or another --out",
        )


def run(args: argparse.Namespace) -> int:
    """Train and print where the model was written."""
    import json
    import sys

    from pydantic import ValidationError

    from denoscope.core.errors import ParameterError
    from denoscope.core.training.config import TrainConfig
    from denoscope.core.training.loop import train

    arch = json.loads(args.arch_json) if args.arch_json else {"arch": args.arch}
    try:
        from denoscope.core.models.config import parse_model_config

        parse_model_config(arch)
        config = TrainConfig(
            modality=args.modality,
            arch=arch,
            data=args.data,
            out=args.out or f"runs/{args.modality}-{arch['arch']}",
            epochs=args.epochs,
            steps_per_epoch=args.steps,
            batch_size=args.batch,
            patch=args.patch,
            loss=args.loss,
            init=args.init,
            init_transfer=args.init_transfer,
            lr=args.lr,
            weight_decay=args.weight_decay,
            patience=args.patience,
            seed=args.seed,
            val_images=args.val_images,
            bank_size=args.bank_size,
            texture=args.texture,
            max_minutes=args.max_minutes,
            device=args.device,
            threads=args.threads,
        )
    except (ValidationError, ValueError) as error:
        raise ParameterError("invalid training options", got=str(error).splitlines()[0]) from error
    check_run_folder(Path(config.out), resume=args.resume, force=args.force)
    result = train(
        config,
        command=command_line(sys.argv[1:]),
        resume=args.resume,
        progress=not args.no_progress,
    )
    if result.model_path is not None:
        print(
            f"wrote {result.model_path} (best epoch {result.best_epoch} of {result.epochs_run}, "
            f"val loss {result.best_val_loss:.5f}, {result.seconds:.0f} s)"
        )
    return 0
