"""``denoscope study read STUDY --reader NAME``: the blinded reading window.

Registered under the ``study`` command that :mod:`denoscope.core.cli.study`
creates (it leaves its subparsers on ``study_commands``). Qt is imported inside
:func:`run` only. ``--screenshot OUT.png`` renders the reader's current case
offscreen from a temporary copy of the study (the study file is not touched)
and exits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``read`` to the ``study`` command."""
    study = subparsers.choices.get("study")
    if study is None or not hasattr(study, "study_commands"):
        return
    parser = study.study_commands.add_parser(
        "read",
        help="read a study: the blinded reading window",
        description=(
            "Open the blinded reading window for one reader. Answers are saved as you go; "
            "close the window at any time and reopen to resume."
        ),
    )
    parser.add_argument("study", type=Path, metavar="STUDY")
    parser.add_argument("--reader", required=True, metavar="NAME", help="your name or initials")
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="OUT.png",
        help="render the reader's current case offscreen to OUT.png (from a copy) and exit",
    )
    parser.add_argument("--force", action="store_true", help="let --screenshot replace OUT.png")
    parser.set_defaults(func=run)


def _screenshot(args: argparse.Namespace) -> int:
    from denoscope.app.export import grab_window
    from denoscope.core.io.write import check_output

    out = check_output(
        args.screenshot, overwrite=args.force, inputs=[args.study], overwrite_hint="pass --force"
    )
    with tempfile.TemporaryDirectory(prefix="denoscope-study-") as tmp:
        copy = Path(tmp) / "study.denostudy"
        shutil.copyfile(args.study, copy)
        from denoscope.app.study.open_study import open_reading_window

        window = open_reading_window(copy, args.reader)
        window.resize(1500, 950)
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        grab_window(window, out)
        window.close()
    print(f"wrote {out}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Open the reading window (or write a screenshot); returns the exit status."""
    from denoscope.app.cli import has_display
    from denoscope.core.study.schema import StudyFileError, connect

    if not args.study.is_file():
        raise StudyFileError("no such study file", path=args.study)
    connect(args.study, readonly=True).close()  # a clear error before any window opens
    if args.screenshot is not None or not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from denoscope.app.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("Denoscope")
    app.setApplicationName("Denoscope")
    apply_theme(app)
    from denoscope.app import gui_gc

    if args.screenshot is not None:
        with gui_gc.pinned():  # cyclic garbage is freed by the event loop only
            return _screenshot(args)
    if not has_display():
        print(
            "denoscope study read: error: no display (use --screenshot to render offscreen)",
            file=sys.stderr,
        )
        return 2
    from denoscope.app.study.open_study import open_reading_window

    gui_gc.pin()  # for the process's life: cyclic garbage is freed by the event loop only
    window = open_reading_window(args.study, args.reader)
    window.show()
    return int(app.exec())
