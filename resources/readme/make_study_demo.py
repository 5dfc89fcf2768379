"""Make the README's reader-study figures: the reading window and the report.

Run from the repository root with the project's environment::

    .venv/bin/python resources/readme/make_study_demo.py

It cuts six 224 x 224 regions out of the bundled chest radiograph (written as
DICOM X-ray cases in a temporary folder), creates a Likert study with the
shipped X-ray model, NL-means, a Gaussian filter and the noisy input under
X-ray quantum noise (I0 = 1000), lets three *simulated* readers answer it
(scripted: their scores follow each output's SSIM plus random noise; they are
not radiologists and their numbers are not results), and then runs the
documented commands, printing each one:

- ``denoscope study read STUDY --reader demo --screenshot resources/readme/study-reading.png``
- ``denoscope study report STUDY --html out/study-demo/report.html --csv ...``
- ``chromium --headless --screenshot=resources/readme/study-report.png ...report.html``
  (Debian package ``chromium``; skipped with a note when it is missing).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out" / "study-demo"
READING_PNG = ROOT / "resources" / "readme" / "study-reading.png"
REPORT_PNG = ROOT / "resources" / "readme" / "study-report.png"


def _run(*args: str) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT)


def _cases(folder: Path) -> Path:
    import pydicom
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    from denoscope.core.resources import sample_path

    source = pydicom.dcmread(sample_path("xray"))
    pixels = source.pixel_array
    folder.mkdir(parents=True)
    corners = [(0, 0), (0, 236), (132, 118), (264, 0), (264, 236), (132, 0)]
    for i, (r, c) in enumerate(corners, start=1):
        ds = pydicom.dcmread(sample_path("xray"))
        crop = np.ascontiguousarray(pixels[r : r + 224, c : c + 224])
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.Rows, ds.Columns = crop.shape
        ds.PixelData = crop.astype(pixels.dtype).tobytes()
        ds.SOPInstanceUID = generate_uid()
        for keyword in ("WindowCenter", "WindowWidth"):  # the full image's window: let the
            if keyword in ds:  # loader choose one for the region
                delattr(ds, keyword)
        ds.save_as(folder / f"region{i}.dcm", enforce_file_format=True)
    return folder


def _simulated_readers(study: Path) -> None:
    from denoscope.core.study import ReaderSession

    conn = sqlite3.connect(study)
    ssim = {
        (case, method): value
        for case, method, value in conn.execute(
            "SELECT case_id, method, value FROM metrics WHERE name = 'ssim'"
        )
    }
    trials = {t: (c, m) for t, c, m in conn.execute("SELECT id, case_id, method_a FROM trials")}
    conn.close()
    for k, reader in enumerate(("Reader A", "Reader B", "Reader C")):
        rng = np.random.default_rng(100 + k)
        with ReaderSession(study, reader) as session:
            for position in range(session.position(), session.total):
                case, method = trials[session._order[position][1]]
                ratings = {
                    key: int(
                        np.clip(round(1 + 4 * ssim[(case, method)] + rng.normal(0, 0.6)), 1, 5)
                    )
                    for key, _q in session.criteria
                }
                session.answer(position, seconds=float(rng.uniform(4, 15)), ratings=ratings)


def main() -> int:
    """Build the demo study and write both README figures."""
    python = sys.executable
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    study = OUT / "chest.denostudy"
    with tempfile.TemporaryDirectory(prefix="denoscope-demo-") as tmp:
        cases = _cases(Path(tmp) / "cases")
        _run(
            python, "-m", "denoscope", "study", "create", "--cases", str(cases),
            "--methods", "model,nlmeans,gaussian,noisy", "--noise", "xray:1000",
            "--seed", "1", "--device", "cpu", "-o", str(study),
        )  # fmt: skip
    _simulated_readers(study)
    _run(
        python, "-m", "denoscope", "study", "read", str(study), "--reader", "demo",
        "--screenshot", str(READING_PNG), "--force",
    )  # fmt: skip
    report = OUT / "report.html"
    _run(
        python, "-m", "denoscope", "study", "report", str(study), "--html", str(report),
        "--csv", str(OUT / "answers.csv"),
    )  # fmt: skip
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("note: chromium not found; the report screenshot was not made", file=sys.stderr)
        return 0
    _run(
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        f"--screenshot={REPORT_PNG}", "--window-size=1100,1700", report.as_uri(),
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
