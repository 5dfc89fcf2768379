"""``denoscope view``: open the viewer, or render it offscreen to a PNG.

With a display the window opens. Without one (no ``DISPLAY`` /
``WAYLAND_DISPLAY`` on Linux, or ``QT_QPA_PLATFORM=offscreen``), or with
``--screenshot``, the window is rendered offscreen: the study is loaded, the
command waits until the background work for it has finished (a signal, with a
time limit), grabs the window to a PNG and prints where it wrote it.

Qt, pyqtgraph and torch are imported inside :func:`run` only.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from denoscope.core.modality import MODEL_MODALITIES

#: Seconds to wait for the shown study's work before grabbing anyway.
SCREENSHOT_TIMEOUT_S = 180.0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``view`` subcommand."""
    parser = subparsers.add_parser(
        "view",
        help="open the viewer (or render it offscreen with --screenshot)",
        description=(
            "Open a study in the viewer: noisy, denoised, ground truth and difference "
            "panes with live metrics. Without a display, or with --screenshot, the "
            "window is rendered offscreen to a PNG."
        ),
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="DICOM file or folder, or PNG (default: the bundled CT sample)",
    )
    parser.add_argument(
        "--sample",
        metavar="NAME",
        help="open a bundled sample instead of PATH: ct, mri, xray or mri-brain",
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="OUT.png",
        help="render offscreen, save the window to OUT.png and exit",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="let --screenshot replace an existing file (never an input)",
    )
    parser.add_argument(
        "--modality",
        choices=[str(m) for m in MODEL_MODALITIES],
        help="which modality's model to use (default: from the study)",
    )
    parser.add_argument("--noise", metavar="NAME", help="noise model (default: gaussian)")
    parser.add_argument("--level", type=float, help="noise level in the noise model's unit")
    parser.add_argument("--seed", type=int, help="noise seed (default: 0)")
    parser.add_argument(
        "--device", choices=("auto", "cpu", "cuda"), help="compute device (default: auto)"
    )
    parser.add_argument(
        "--model", type=Path, metavar="FILE", help="model file (.safetensors with its .json card)"
    )
    parser.add_argument(
        "--stack",
        action="store_true",
        help="open a folder's single-frame series that share a frame of reference (or study) "
        "and orientation as one stack, sorted by position along the slice normal",
    )
    parser.add_argument(
        "--real-input",
        action="store_true",
        help="the study is already noisy: add no noise, show input/denoised/residual",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=SCREENSHOT_TIMEOUT_S,
        metavar="SECONDS",
        help="longest wait for the work before an offscreen screenshot (default: %(default)s)",
    )
    from denoscope.app.reading_args import add_arguments

    add_arguments(parser)
    parser.set_defaults(func=run)


def has_display() -> bool:
    """Whether a window can be shown on screen here."""
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _study_path(args: argparse.Namespace) -> Path:
    from denoscope.core.errors import StudyLoadError
    from denoscope.core.resources import sample_path

    if args.sample is not None:
        return sample_path(args.sample)
    if args.path is None:
        return sample_path("ct")
    if not args.path.exists():
        raise StudyLoadError(
            "no such file or folder", path=args.path, fix="Check the path and try again"
        )
    return args.path


def _params(args: argparse.Namespace) -> dict:
    from denoscope.core.errors import ParameterError

    params: dict = {}
    if args.noise is not None:
        from denoscope.core.noise import NOISE_MODELS

        if args.noise not in NOISE_MODELS:
            raise ParameterError(
                "unknown noise model",
                got=repr(args.noise),
                expected=f"one of {', '.join(NOISE_MODELS)}",
            )
        params["noise"] = args.noise
    for name in ("modality", "level", "seed", "device"):
        value = getattr(args, name)
        if value is not None:
            params[name] = value
    if args.model is not None:
        if not args.model.exists():
            raise ParameterError("model file not found", path=args.model)
        params["model_path"] = args.model
    if args.real_input:
        params["real_input"] = True
    return params


def _stack_key(path: Path) -> str:
    """The key of the largest stack of single-frame series in ``path`` (``--stack``)."""
    from denoscope.core.errors import ParameterError
    from denoscope.core.io import list_stacks

    stacks = list_stacks(path) if path.is_dir() else []
    if not stacks:
        raise ParameterError(
            "--stack: nothing to stack here",
            path=path,
            expected="a folder of single-frame DICOM series sharing a FrameOfReferenceUID "
            "(or StudyInstanceUID), an orientation and a frame size",
            fix="Open the folder without --stack",
        )
    return str(stacks[0].series_uid)


def _route_unexpected_errors(window) -> None:
    """Show exceptions escaping a Qt slot in the window instead of only on stderr."""
    import traceback

    def hook(kind, error, tb) -> None:
        traceback.print_exception(kind, error, tb, file=sys.stderr)
        if isinstance(error, Exception):
            window.report_unexpected(error)

    sys.excepthook = hook


def _exit_without_waiting_for_detached_jobs(status: int) -> None:
    """End the process now when a closed window left a job inside an uninterruptible step.

    Such a job writes nothing (exports check for cancellation before each file, and
    every file is written atomically), so nothing is lost by not waiting for it.
    """
    from denoscope.app.workers import detached_jobs_running

    if detached_jobs_running():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def run(args: argparse.Namespace) -> int:
    """Open the viewer, or save an offscreen screenshot; returns the exit status."""
    path = _study_path(args)
    if args.screenshot is not None:  # refuse before any work: never replace a file unasked
        from denoscope.core.io.write import check_output

        Path(args.screenshot).expanduser().parent.mkdir(parents=True, exist_ok=True)
        check_output(
            args.screenshot, overwrite=args.force, inputs=[path], overwrite_hint="pass --force"
        )
    params = _params(args)
    if getattr(args, "stack", False):
        params["series_uid"] = _stack_key(path)
    if "modality" not in params and (args.sample is not None or args.path is None):
        from denoscope.app.samples import SAMPLE_MODALITIES

        params["modality"] = SAMPLE_MODALITIES.get(args.sample or "ct", "ct")
    offscreen = args.screenshot is not None or not has_display()
    if offscreen and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from denoscope.app.platform_check import check_display_libraries

    hint = check_display_libraries()
    if hint is not None:  # Qt would abort without naming a package: say which to install
        print(hint, file=sys.stderr)
        return 3

    from PySide6.QtWidgets import QApplication

    from denoscope.app.theme import apply_theme
    from denoscope.app.tuning import tune_for_interactive_use

    tune_for_interactive_use()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("Denoscope")
    app.setApplicationName("Denoscope")
    apply_theme(app)

    from denoscope.app import gui_gc
    from denoscope.app.main_window import MainWindow
    from denoscope.app.settings import Settings

    if not offscreen:
        gui_gc.pin()  # for the process's life: cyclic garbage is freed by the event loop only
        window = MainWindow()
        _route_unexpected_errors(window)
        if getattr(args, "size", None):
            window.resize(*args.size)
        if getattr(args, "layout", None):
            window.view_toolbar.set_layout(args.layout)
        window.show()
        window.open_path(path, **params)
        status = int(app.exec())
        _exit_without_waiting_for_detached_jobs(status)
        return status

    out = args.screenshot
    if out is None:
        out = Path(tempfile.gettempdir()) / "denoscope-view.png"
        print("no display: rendering the viewer offscreen", file=sys.stderr)
    with gui_gc.pinned(), tempfile.TemporaryDirectory(prefix="denoscope-view-") as tmp:
        window = MainWindow(Settings(Path(tmp) / "settings.ini"))
        _route_unexpected_errors(window)
        window.resize(*(getattr(args, "size", None) or (1600, 1000)))
        window.show()
        window.open_path(path, **params)
        finished = window.wait_settled(args.timeout * 1000.0)
        from denoscope.app.reading_args import apply

        apply(window, args)
        window.wait_settled(args.timeout * 1000.0)
        from denoscope.app.export import grab_window

        grab_window(window, Path(out))
        error = window.state.last_error
        loaded = window.state.study is not None
        window.close()
    print(f"wrote {out}")
    if not finished:
        print(
            f"denoscope view: warning: work not finished after {args.timeout:g} s",
            file=sys.stderr,
        )
    if error:
        print(f"denoscope view: error: {error}", file=sys.stderr)
    _exit_without_waiting_for_detached_jobs(0 if loaded else 2)
    return 0 if loaded else 2
