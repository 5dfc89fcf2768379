"""Driver of the real-window test: open a study, denoise, export, close, on the xcb platform.

Run as ``python tests/e2e/xcb_driver.py OUT_DIR MODEL`` with ``DISPLAY`` set and
``QT_QPA_PLATFORM=xcb``. Prints ``PLATFORM <name>``, ``EXPORTED <path>`` and
``CLOSED <seconds>``; exits non-zero on any failure.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def main(out_dir: Path, model: Path) -> int:
    from PySide6.QtWidgets import QApplication

    from denoscope.app.main_window import MainWindow
    from denoscope.app.settings import Settings
    from denoscope.core.resources import sample_path

    app = QApplication(sys.argv[:1])
    print(f"PLATFORM {app.platformName()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(Settings(Path(tmp) / "settings.ini"), series_metrics=False)
        window.state.set_params(model_path=model, device="cpu")
        window.resize(1280, 800)
        window.show()
        window.open_path(sample_path("ct"), modality="ct")
        if not window.wait_settled(120_000) or window.state.result is None:
            print(f"NO RESULT {window.state.last_error}", flush=True)
            return 2
        if window.state.result.denoised01 is None:
            print("NOT DENOISED", flush=True)
            return 2
        written = window.exports.export_comparison(out_dir / "comparison.png")
        if written is None:
            print(f"EXPORT FAILED {window.state.last_error}", flush=True)
            return 2
        print(f"EXPORTED {written[0]}", flush=True)
        start = time.perf_counter()
        window.close()
        app.processEvents()
        print(f"CLOSED {time.perf_counter() - start:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
