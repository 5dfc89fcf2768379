"""The ``denoscope`` command: subcommands discovered from their modules.

Each headless subcommand is one module in :mod:`denoscope.core.cli` and the
viewer's is :mod:`denoscope.app.cli`. A command module exposes
``register(subparsers)``, which adds its parser and sets ``func`` (a callable
taking the parsed arguments and returning an exit status). Command modules
import heavy libraries (torch, Qt) inside ``func`` only, so ``--help`` and
start-up stay fast.

With no subcommand the viewer opens (``denoscope`` == ``denoscope view``).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from typing import NoReturn

from denoscope import __version__

_VIEWER_MODULE = "denoscope.app.cli"
#: Qt subcommands registered after the headless ones (``study read`` joins ``study``).
_APP_MODULES = (_VIEWER_MODULE, "denoscope.app.study.cli")
#: Benchmarks of the viewer, added to core's ``denoscope bench`` here (core names no app module).
_APP_BENCHMARKS = {"ui": "denoscope.app.bench_ui"}


def _command_modules() -> list[str]:
    """Return the module names of every subcommand, headless ones first."""
    import denoscope.core.cli as core_cli

    names = [
        f"{core_cli.__name__}.{info.name}"
        for info in pkgutil.iter_modules(core_cli.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(names) + list(_APP_MODULES)


class _OneLineParser(argparse.ArgumentParser):
    """A parser whose usage errors are one line (``denoscope noise: error: ...``), exit 2.

    Subcommand parsers inherit the class (argparse creates them with the parent's).
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every subcommand registered.

    Returns
    -------
    argparse.ArgumentParser
        The parser; ``args.func(args)`` runs the chosen command.
    """
    parser = _OneLineParser(
        prog="denoscope",
        description=(
            "Denoscope: review deep-learning denoising of MRI, CT and X-ray studies. "
            "With no command, the viewer opens."
        ),
    )
    parser.add_argument("--version", action="version", version=f"denoscope {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        importlib.import_module(name).register(subparsers)
    from denoscope.core.cli.bench import add_benchmarks

    add_benchmarks(subparsers, _APP_BENCHMARKS)
    from denoscope.core.cli._args import add_max_memory, harden

    for command in subparsers.choices.values():  # the study memory limit, everywhere
        if not any("--max-memory" in a.option_strings for a in command._actions):
            add_max_memory(command)
    harden(parser)  # typed validators for every int/float option (NaN, negative seeds...)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``denoscope`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when omitted.

    Returns
    -------
    int
        The process exit status.
    """
    from denoscope.core.errors import DenoscopeError

    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command is None:
        args = parser.parse_args(["view", *(sys.argv[1:] if argv is None else argv)])
    if getattr(args, "max_memory", None) is not None:
        from denoscope.core.io.limits import set_max_study_bytes

        set_max_study_bytes(args.max_memory)
    try:
        return int(args.func(args) or 0)
    except DenoscopeError as error:
        print(f"denoscope {args.command}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # last resort: every writer and reader raises typed errors
        where = f"{error.filename}: " if error.filename else ""
        print(f"denoscope {args.command}: error: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"denoscope {args.command}: interrupted", file=sys.stderr)
        return 130


def main_viewer() -> int:
    """Entry point of the desktop launcher: always the viewer."""
    return main(["view", *sys.argv[1:]])
