"""Shared libraries whose first load is slow are opened without the GIL before any import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_PROBE = """
import json
import sys
from denoscope.app.warmup import EXTENSION_MODULES, preload_extension_modules

def mapped():
    return open("/proc/self/maps").read()

names = [module.rsplit(".", 1)[-1] for _package, module in EXTENSION_MODULES]
before = [name in mapped() for name in names]
preload_extension_modules()
after = [name in mapped() for name in names]
imported = [f"{p}.{m}" in sys.modules for p, m in EXTENSION_MODULES]
print(json.dumps([before, after, imported]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="dlopen preloading is Linux-only")
def test_slow_extension_modules_are_opened_but_not_imported() -> None:
    """In a fresh process: the files get mapped, the modules are left to their import."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    before, after, imported = json.loads(proc.stdout)
    assert not any(before)  # nothing had loaded them yet
    assert all(after)  # now every one is mapped
    assert not any(imported)  # and none was imported (no module code ran)
