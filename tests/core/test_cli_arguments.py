"""Every int/float argument has a typed validator: bad values exit 2 with one line."""

from __future__ import annotations

import argparse

import pytest

from denoscope.cli import build_parser, main
from denoscope.core.cli._args import MAX_SEED, seed, validator_for


@pytest.mark.parametrize(
    "argv",
    [
        ["noise", "in.png", "--seed", "-1", "-o", "x.png"],
        ["noise", "in.png", "--level", "nan", "-o", "x.png"],
        ["noise", "in.png", "--level", "-0.5", "-o", "x.png"],
        ["noise", "in.png", "--frame", "-1", "-o", "x.png"],
        ["view", "--level", "nan"],
        ["view", "--level", "inf"],
        ["view", "--seed", "1.5"],
        ["denoise", "in.png", "-o", "out", "--tile", "2"],
        ["denoise", "in.png", "-o", "out", "--strength", "nan"],
        ["metrics", "a.png", "b.png", "--frame", "x"],
        ["train", "--epochs", "0"],
        ["info", "x", "--max-memory", "lots"],
        ["info", "x", "--max-memory", "10"],
    ],
)
def test_bad_argument_exits_2_with_one_line(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"denoscope {argv[0]}: error: argument" in err, err


def test_every_numeric_option_is_validated() -> None:
    """No parser keeps a bare int or float type (NaN or -1 would pass)."""

    def walk(parser: argparse.ArgumentParser):
        for action in parser._actions:
            yield parser.prog, action
            if isinstance(action, argparse._SubParsersAction):
                for sub in set(action.choices.values()):
                    yield from walk(sub)

    bare = [(prog, a.dest) for prog, a in walk(build_parser()) if a.type in (int, float)]
    assert bare == []


def test_validators_accept_good_values() -> None:
    assert seed("0") == 0 and seed(str(MAX_SEED)) == MAX_SEED
    assert validator_for("level", float)("0.1") == 0.1
    assert validator_for("frame", int)("3") == 3
    with pytest.raises(argparse.ArgumentTypeError):
        validator_for("frame", int)("-3")


def test_max_memory_reaches_the_loader(tmp_path, capsys) -> None:
    import numpy as np
    from PIL import Image

    from denoscope.core.io.limits import set_max_study_bytes

    path = tmp_path / "a.png"
    Image.fromarray(np.zeros((2048, 2048), np.uint8)).save(path)
    try:
        assert main(["info", str(path), "--max-memory", "8M"]) == 2
        assert "--max-memory" in capsys.readouterr().err
        assert main(["info", str(path), "--max-memory", "1G"]) == 0
    finally:
        set_max_study_bytes(None)
