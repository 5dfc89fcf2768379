"""Preferences kept with QSettings: last folder, recent files, window presets, device, layout.

The organisation and application names are fixed; tests (and anyone who wants
a separate profile) pass an INI path, or set ``DENOSCOPE_SETTINGS`` to one, so
the user's settings are never touched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QSettings

ORGANIZATION = "Denoscope"
APPLICATION = "Denoscope"
MAX_RECENT = 10

#: Window presets per modality: name -> (center, width) in modality units (HU for CT).
#: Percentile presets (MRI, X-ray) are computed from the study by the window panel.
DEFAULT_PRESETS: dict[str, dict[str, tuple[float, float]]] = {
    "ct": {
        "Brain": (40.0, 80.0),
        "Subdural": (75.0, 215.0),
        "Stroke": (40.0, 40.0),
        "Temporal bone": (600.0, 2800.0),
        "Lung": (-600.0, 1500.0),
        "Mediastinum": (50.0, 350.0),
        "Abdomen": (50.0, 400.0),
        "Liver": (60.0, 160.0),
        "Bone": (400.0, 1800.0),
    },
}


class Settings:
    """Typed access to the viewer's QSettings.

    Parameters
    ----------
    path : str or Path, optional
        An INI file to use instead of the user's settings; defaults to
        ``$DENOSCOPE_SETTINGS`` when set.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        path = path if path is not None else os.environ.get("DENOSCOPE_SETTINGS")
        if path is not None:
            self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.qsettings = QSettings(ORGANIZATION, APPLICATION)

    def _get(self, key: str, default=None):
        return self.qsettings.value(key, default)

    def last_folder(self) -> str:
        """The folder of the last open dialog (home by default)."""
        return str(self._get("paths/last_folder", str(Path.home())))

    def set_last_folder(self, folder: Path) -> None:
        """Remember the folder of the last open dialog."""
        self.qsettings.setValue("paths/last_folder", str(folder))

    def recent(self) -> list[Path]:
        """Recently opened files and folders, newest first."""
        raw = self._get("paths/recent", "[]")
        try:
            items = json.loads(raw) if isinstance(raw, str) else []
        except json.JSONDecodeError:
            items = []
        return [Path(p) for p in items if isinstance(p, str)]

    def add_recent(self, path: Path) -> None:
        """Put ``path`` first in the recent list."""
        text = str(Path(path).resolve())
        items = [str(p) for p in self.recent() if str(p) != text]
        self.qsettings.setValue("paths/recent", json.dumps([text, *items][:MAX_RECENT]))

    def presets(self, modality: str) -> dict[str, tuple[float, float]]:
        """Window presets of a modality (user-edited ones override the defaults)."""
        raw = self._get(f"presets/{modality}")
        if isinstance(raw, str):
            try:
                return {k: (float(v[0]), float(v[1])) for k, v in json.loads(raw).items()}
            except (json.JSONDecodeError, TypeError, ValueError, IndexError, AttributeError):
                pass
        return dict(DEFAULT_PRESETS.get(modality, {}))

    def set_presets(self, modality: str, presets: dict[str, tuple[float, float]]) -> None:
        """Store edited window presets of a modality."""
        data = {k: [float(c), float(w)] for k, (c, w) in presets.items()}
        self.qsettings.setValue(f"presets/{modality}", json.dumps(data))

    def device(self) -> str:
        """The preferred compute device ("auto", "cpu" or "cuda")."""
        value = str(self._get("compute/device", "auto"))
        return value if value in ("auto", "cpu", "cuda") else "auto"

    def set_device(self, device: str) -> None:
        """Remember the preferred compute device."""
        self.qsettings.setValue("compute/device", device)

    def view_layout(self, default: str = "1x2") -> str:
        """The pane layout key ("1x1", "1x2", "2x2", "1x4") last used."""
        value = str(self._get("view/layout", default))
        return value if value in ("1x1", "1x2", "2x2", "1x4") else default

    def set_view_layout(self, name: str) -> None:
        """Remember the pane layout."""
        self.qsettings.setValue("view/layout", name)

    def view_panes(self, key: str, default: list[str]) -> list[str]:
        """The panes chosen for a layout (``key`` "single" or "pair")."""
        raw = self._get(f"view/{key}")
        try:
            items = json.loads(raw) if isinstance(raw, str) else None
        except json.JSONDecodeError:
            items = None
        if isinstance(items, list) and len(items) == len(default):
            if all(item in ("noisy", "denoised", "truth", "difference") for item in items):
                return [str(item) for item in items]
        return list(default)

    def set_view_panes(self, key: str, panes: list[str]) -> None:
        """Remember the panes chosen for a layout."""
        self.qsettings.setValue(f"view/{key}", json.dumps(list(panes)))

    def layout(self) -> tuple[bytes | None, bytes | None]:
        """Saved window geometry and dock layout."""
        geometry, state = self._get("window/geometry"), self._get("window/state")
        return (
            bytes(geometry) if geometry is not None else None,
            bytes(state) if state is not None else None,
        )

    def set_layout(self, geometry: bytes, state: bytes) -> None:
        """Save window geometry and dock layout."""
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    def sync(self) -> None:
        """Write pending changes to disk."""
        self.qsettings.sync()
