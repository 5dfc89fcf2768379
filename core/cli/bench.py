"""``denoscope bench``: benchmarks that print numbers (never timed assertions).

Each sub-benchmark is a module named in :data:`BENCHMARKS` that exposes
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``. It is
imported when ``denoscope`` builds its parser, so it must import heavy
libraries (torch, Qt) inside ``run`` only. Core names only its own
benchmarks: the viewer's ``bench ui`` is added by the command dispatcher
(:mod:`denoscope.cli`, which alone knows both core and app) through
:func:`add_benchmarks`, so core holds no reference to the app at all.
"""

from __future__ import annotations

import argparse
import importlib

#: Sub-benchmarks: name -> module exposing ``HELP``, ``add_arguments`` and ``run``.
BENCHMARKS: dict[str, str] = {
    "speed": "denoscope.core.cli._bench_speed",
    "trust": "denoscope.core.cli._bench_trust",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``bench`` command and its sub-benchmarks."""
    parser = subparsers.add_parser(
        "bench",
        help="run a benchmark and print its numbers",
        description="Benchmarks that print numbers: " + ", ".join(BENCHMARKS) + ".",
    )
    parser.set_defaults(func=run)
    sub = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK")
    for name, module_name in BENCHMARKS.items():
        _add(sub, name, module_name)


def add_benchmarks(subparsers: argparse._SubParsersAction, benchmarks: dict[str, str]) -> None:
    """Add sub-benchmarks that live outside core (the dispatcher adds the viewer's ``ui``).

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The top-level subcommands, with ``bench`` registered.
    benchmarks : dict
        Name -> module exposing ``HELP``, ``add_arguments`` and ``run``.
    """
    parser = subparsers.choices["bench"]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, module_name in benchmarks.items():
        _add(sub, name, module_name)
    parser.description = "Benchmarks that print numbers: " + ", ".join(sub.choices) + "."


def _add(sub: argparse._SubParsersAction, name: str, module_name: str) -> None:
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:  # an optional benchmark whose module is not installed
        bench_parser = sub.add_parser(name, help=f"(unavailable: {error})")
        bench_parser.set_defaults(bench_func=None, bench_error=str(error))
        return
    bench_parser = sub.add_parser(name, help=module.HELP, description=module.HELP)
    module.add_arguments(bench_parser)
    bench_parser.set_defaults(bench_func=module.run)


def run(args: argparse.Namespace) -> int:
    """Run the chosen sub-benchmark."""
    from denoscope.core.errors import ParameterError

    if getattr(args, "benchmark", None) is None:
        raise ParameterError(
            "no benchmark chosen",
            expected=f"one of {', '.join(BENCHMARKS)}",
            fix="run e.g. `denoscope bench speed`",
        )
    if args.bench_func is None:
        raise ParameterError(
            f"the {args.benchmark} benchmark is not available here",
            got=args.bench_error,
            fix="install the missing package",
        )
    return int(args.bench_func(args) or 0)
