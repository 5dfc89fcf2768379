"""``denoscope train`` under torchrun: two CPU processes (gloo) on a tiny corpus."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from denoscope.core.corpus.synthetic import write_synthetic_corpus


@pytest.mark.slow
def test_torchrun_two_cpu_processes(tmp_path):
    write_synthetic_corpus(tmp_path / "corpus", "mri", size=48)
    out = tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "denoscope",
        "train",
        "--modality",
        "mri",
        "--data",
        str(tmp_path / "corpus"),
        "--arch-json",
        '{"arch": "res-cae", "widths": [8, 8], "bottleneck_convs": 1}',
        "--epochs",
        "2",
        "--steps",
        "4",
        "--batch",
        "2",
        "--patch",
        "32",
        "--val-images",
        "2",
        "--device",
        "cpu",
        "--threads",
        "1",
        "--no-progress",
        "--out",
        str(out),
    ]
    # Output goes to a file (read after the run; no pipe to drain while waiting).
    log = tmp_path / "torchrun.log"
    with log.open("w") as handle:
        # own session, so that on a timeout the launcher's workers are killed with it
        proc = subprocess.Popen(
            command, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = proc.wait(timeout=110)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "wrote" in text
    card = json.loads((out / "model.json").read_text())
    assert card["training"]["details"]["world_size"] == 2
    assert card["training"]["command"].startswith("torchrun --nproc_per_node 2")
    assert (out / "history.csv").read_text().count("\n") == 3
