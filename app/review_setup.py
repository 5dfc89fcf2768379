"""The review set-up, kept per modality: what the reader chose is there again next time.

For each study modality (CT, MRI, X-ray, unknown) the viewer remembers the
noise model, its level, the strength, the baseline, the difference mode, the
pane layout, the trust-map overlay (map, where it is shown, opacity) and, for
studies in Hounsfield units, the display window (a window
in arbitrary units means nothing for the next study, whose scale differs; the
window panel's percentile presets cover those). The set-up is saved as the
reader changes it and applied when the next study of that modality opens,
before its first result. Explicit choices (command-line options) win over it.
"View > Reset review set-up to defaults" forgets every saved set-up and goes
back to the defaults.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from denoscope.app.params import DIFF_MODES, Params
from denoscope.app.settings import Settings
from denoscope.app.state import ViewerState

#: Params fields kept per modality.
PARAM_FIELDS: tuple[str, ...] = ("noise", "level", "strength", "baseline")

_GROUP = "review"


def _key(modality: str) -> str:
    return f"{_GROUP}/{modality}"


def load_setup(settings: Settings, modality: str) -> dict[str, Any]:
    """The saved set-up of ``modality`` (empty when none, or when it is unreadable)."""
    raw = settings.qsettings.value(_key(modality))
    try:
        data = json.loads(raw) if isinstance(raw, str) else {}
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def clear_setups(settings: Settings) -> None:
    """Forget the saved set-up of every modality."""
    settings.qsettings.remove(_GROUP)


def valid_param_changes(setup: dict[str, Any]) -> dict[str, Any]:
    """The :class:`Params` changes of a saved set-up that are still valid here.

    A noise model that no longer exists, a non-numeric level or an unknown
    baseline is dropped (that field keeps its default) rather than failing.
    """
    from denoscope.core.baselines import BASELINES
    from denoscope.core.noise import NOISE_MODELS

    changes: dict[str, Any] = {}
    if setup.get("noise") in NOISE_MODELS:
        changes["noise"] = setup["noise"]
    for name in ("level", "strength"):
        value = setup.get(name)
        if isinstance(value, int | float) and value == value and value >= 0:
            changes[name] = float(value)
    if "baseline" in setup and (setup["baseline"] is None or setup["baseline"] in BASELINES):
        changes["baseline"] = setup["baseline"]
    return changes


class ReviewSetupKeeper(QObject):
    """Saves the review set-up per modality and restores it for the next study.

    Parameters
    ----------
    state : ViewerState
        Followed for parameter, window and difference-mode changes.
    settings : Settings
        Where set-ups are kept (group ``review/<modality>``).
    get_layout, set_layout : callable, optional
        Read and apply the pane layout name ("1x1", "1x2", "2x2", "1x4").
    get_overlays, set_overlays : callable, optional
        Read and apply the trust-map overlay set-up (a dict; the Trust panel's
        ``overlay_setup`` and ``apply_overlay_setup``, which ignores invalid fields).
    default_overlays : dict, optional
        The overlay set-up "Reset review set-up to defaults" applies.
    """

    def __init__(
        self,
        state: ViewerState,
        settings: Settings,
        *,
        get_layout: Callable[[], str] | None = None,
        set_layout: Callable[[str], None] | None = None,
        get_overlays: Callable[[], dict[str, Any]] | None = None,
        set_overlays: Callable[[dict[str, Any]], None] | None = None,
        default_overlays: dict[str, Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.settings = settings
        self._get_layout = get_layout
        self._set_layout = set_layout
        self._get_overlays = get_overlays
        self._set_overlays = set_overlays
        self._default_overlays = dict(default_overlays or {})
        self._restoring = False
        state.paramsChanged.connect(lambda _p: self.save())
        state.windowChanged.connect(lambda _c, _w: self.save())
        state.diffModeChanged.connect(lambda _m: self.save())

    def _modality(self) -> str | None:
        loaded = self.state.study
        return None if loaded is None else str(loaded.modality)

    def _in_hounsfield(self) -> bool:
        loaded = self.state.study
        return bool(getattr(loaded, "in_hounsfield", False))

    def current(self) -> dict[str, Any]:
        """The shown set-up as a JSON-ready dict."""
        params: Params = self.state.params
        setup: dict[str, Any] = {name: getattr(params, name) for name in PARAM_FIELDS}
        setup["diff_mode"] = self.state.diff_mode
        if self._in_hounsfield():
            setup["window"] = [float(v) for v in self.state.window]
        if self._get_layout is not None:
            setup["layout"] = self._get_layout()
        if self._get_overlays is not None:
            setup["overlays"] = dict(self._get_overlays())
        return setup

    def save(self) -> None:
        """Store the shown set-up under the shown study's modality."""
        modality = self._modality()
        if modality is None or self._restoring:
            return
        self.settings.qsettings.setValue(_key(modality), json.dumps(self.current()))

    def saved(self, modality: str) -> dict[str, Any]:
        """The saved set-up of ``modality``, read before a new study replaces the shown one."""
        return load_setup(self.settings, modality)

    def hold(self) -> None:
        """Save nothing until :meth:`restore_view` (the new study's defaults are passing by)."""
        self._restoring = True

    def restore_view(self, setup: dict[str, Any]) -> None:
        """Apply a saved window, difference mode and layout (after the study is set)."""
        self._restoring = True
        try:
            if setup.get("diff_mode") in DIFF_MODES:
                self.state.set_diff_mode(setup["diff_mode"])
            window = setup.get("window")
            if (
                self._in_hounsfield()
                and isinstance(window, list)
                and len(window) == 2
                and all(isinstance(v, int | float) for v in window)
            ):
                self.state.set_window(float(window[0]), float(window[1]))
            layout = setup.get("layout")
            if self._set_layout is not None and layout in ("1x1", "1x2", "2x2", "1x4"):
                self._set_layout(layout)
            overlays = setup.get("overlays")
            if self._set_overlays is not None and isinstance(overlays, dict):
                self._set_overlays(overlays)
        finally:
            self._restoring = False
        self.save()

    def reset_to_defaults(self) -> None:
        """Forget every saved set-up and show the defaults (View > Reset review set-up)."""
        from denoscope.core.noise import NOISE_MODELS

        clear_setups(self.settings)
        defaults = Params()
        modality = self.state.params.modality
        noise = NOISE_MODELS[defaults.noise]
        self._restoring = True
        try:
            self.state.set_params(
                noise=defaults.noise,
                level=noise.default_level(modality),
                strength=defaults.strength,
                baseline=defaults.baseline,
            )
            self.state.set_diff_mode("denoised-truth")
            loaded = self.state.study
            if loaded is not None:
                self.state.set_window(*(float(v) for v in loaded.study.window))
            if self._set_layout is not None:
                from denoscope.app.widgets.image_panes import DEFAULT_LAYOUT

                self._set_layout(DEFAULT_LAYOUT)
            if self._set_overlays is not None:
                self._set_overlays(dict(self._default_overlays))
        finally:
            self._restoring = False
        clear_setups(self.settings)
        self.state.report("info", "Review set-up reset to defaults for every modality.")
