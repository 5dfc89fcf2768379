"""``denoscope train`` under torchrun: two CPU processes (gloo) on a tiny corpus."""

from __future__ import annotations

import json
import os
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
    # Output goes to a file: a helper process of torch's launcher may keep an
    # inherited pipe open after the workers exit, so reading a pipe to EOF can hang.
    log = tmp_path / "torchrun.log"
    with log.open("w") as handle:
        code = subprocess.run(
            command, env=env, stdout=handle, stderr=subprocess.STDOUT, timeout=110, check=False
        ).returncode
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "wrote" in text
    card = json.loads((out / "model.json").read_text())
    assert card["training"]["details"]["world_size"] == 2
    assert card["training"]["command"].startswith("torchrun --nproc_per_node 2")
    assert (out / "history.csv").read_text().count("\n") == 3
