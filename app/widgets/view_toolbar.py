"""The reading-room toolbar: layouts, pane choice, fit and 1:1, flicker and swipe, ROIs, cine.

Every tool is a :class:`QAction` with a shortcut, so the same commands appear
in the toolbar, in the View menu and in Help > Keyboard and mouse. The layout
and the panes chosen for 1×1 and 1×2 are kept in the settings.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QMenu, QToolBar, QWidget

from denoscope.app.settings import Settings
from denoscope.app.widgets.cine import DEFAULT_FPS, FPS_RANGE, CinePlayer
from denoscope.app.widgets.compare import CompareTool
from denoscope.app.widgets.image_panes import (
    DEFAULT_LAYOUT,
    LAYOUT_LABELS,
    LAYOUTS,
    PANE_LABELS,
    PANES,
    ImagePanes,
)
from denoscope.app.widgets.roi import RoiTool

#: Layout shortcuts.
LAYOUT_KEYS = {"1x1": "Ctrl+1", "1x2": "Ctrl+2", "2x2": "Ctrl+3", "1x4": "Ctrl+4"}
_LAYOUT_TIPS = {
    "1x1": "One large pane; choose it with the pane switcher (P: next pane)",
    "1x2": "Two panes side by side (noisy | denoised by default; choose any two)",
    "2x2": "All four panes in a square",
    "1x4": "All four panes in a row",
}


def _combo(tip: str) -> QComboBox:
    combo = QComboBox()
    for key in PANES:
        combo.addItem(PANE_LABELS[key], key)
    combo.setToolTip(tip)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


class ViewToolbar(QToolBar):
    """Toolbar and actions of the reading room.

    Parameters
    ----------
    panes : ImagePanes
        The panes it arranges.
    settings : Settings
        Where the layout is remembered.
    parent : QWidget, optional
        The main window.
    """

    def __init__(
        self, panes: ImagePanes, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__("View", parent)
        self.setObjectName("viewToolbar")
        self.setMovable(False)
        self.panes = panes
        self.settings = settings
        self.state = panes.state
        self.compare = CompareTool(panes, self)
        self.rois = RoiTool(panes, panes.state, self)
        self.cine = CinePlayer(panes.state, self)

        self.addWidget(QLabel(" Layout "))
        self.layout_group = QActionGroup(self)
        self.layout_actions: dict[str, QAction] = {}
        for key in LAYOUTS:
            action = self._make(
                LAYOUT_LABELS[key],
                LAYOUT_KEYS[key],
                _LAYOUT_TIPS[key],
                lambda k=key: self.set_layout(k),
                checkable=True,
            )
            self.layout_group.addAction(action)
            self.layout_actions[key] = action
            self.addAction(action)
        self.single = _combo("Pane shown in the 1×1 layout  [P: next pane]")
        self.left = _combo("Left pane of the 1×2 layout")
        self.right = _combo("Right pane of the 1×2 layout")
        self.single_widget = self.addWidget(self.single)
        self.left_widget = self.addWidget(self.left)
        self.right_widget = self.addWidget(self.right)
        self.action_next_pane = self._make(
            "Next pane", "P", "1×1 layout: show the next pane", lambda: self.panes.next_pane(1)
        )
        self.addSeparator()
        self.action_fit = self._make(
            "Fit", "0", "Zoom to fit the whole image in each pane", self.panes.fit
        )
        self.action_actual = self._make(
            "1:1", "Z", "One image pixel per screen pixel", self.panes.actual_size
        )
        self.addAction(self.action_fit)
        self.addAction(self.action_actual)
        self.addSeparator()
        self.action_flicker = self._make(
            "Flicker",
            "F",
            "Flicker: toggle between two images in one pane (press again to "
            "switch; Shift+F runs it on a timer)",
            self.compare.toggle,
        )
        self.action_flicker_run = self._make(
            "Flicker on timer",
            "Shift+F",
            "Flicker automatically",
            self._toggle_flicker_timer,
            checkable=True,
        )
        self.action_swipe = self._make(
            "Swipe",
            "W",
            "Swipe: a draggable divider between two images in one pane",
            self._toggle_swipe,
            checkable=True,
        )
        self.action_compare_off = self._make(
            "End flicker/swipe", "Esc", "Back to the layout", self._compare_off
        )
        self.addAction(self.action_flicker)
        self.addAction(self.action_swipe)
        self.addSeparator()
        self.action_roi_rect = self._make(
            "Rect ROI",
            "Shift+R",
            "Draw a rectangle ROI: drag on any image (press again to place one in the "
            "middle); it is mirrored on every pane, and a second ROI is the background for "
            "contrast and CNR",
            lambda: self.rois.draw_or_place("rect"),
            checkable=True,
        )
        self.action_roi_ellipse = self._make(
            "Ellipse ROI",
            "Shift+E",
            "Draw an ellipse ROI: drag on any image (press again to place one in the middle)",
            lambda: self.rois.draw_or_place("ellipse"),
            checkable=True,
        )
        self.action_roi_clear = self._make(
            "Clear ROIs", "Shift+Del", "Remove every ROI", self.rois.clear
        )
        self.addAction(self.action_roi_rect)
        self.addAction(self.action_roi_ellipse)
        self.addAction(self.action_roi_clear)
        self.addSeparator()
        self.action_cine = self._make(
            "Cine", "Space", "Play the slices of the series", self.cine.toggle, checkable=True
        )
        self.addAction(self.action_cine)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(*FPS_RANGE)
        self.fps.setValue(DEFAULT_FPS)
        self.fps.setSuffix(" fps")
        self.fps.setDecimals(1)
        self.fps.setToolTip("Cine frame rate (frames per second)")
        self.addWidget(self.fps)

        self.fps.valueChanged.connect(self.cine.set_fps)
        self.cine.playingChanged.connect(self._follow_cine)
        self.rois.armedChanged.connect(self._follow_roi)
        self.single.activated.connect(lambda _i: self.panes.set_single(self.single.currentData()))
        self.left.activated.connect(lambda _i: self._set_pair())
        self.right.activated.connect(lambda _i: self._set_pair())
        self.compare.changed.connect(self._follow_compare)
        panes.layoutChanged.connect(self._follow_layout)
        panes.visiblePanesChanged.connect(lambda _k: self._follow_layout(panes.layout_name))

        single = settings.view_panes("single", ["denoised"])[0]
        pair = settings.view_panes("pair", ["noisy", "denoised"])
        panes.set_single(single)
        if pair[0] != pair[1]:
            panes.set_pair(pair[0], pair[1])
        panes.set_layout(settings.view_layout(DEFAULT_LAYOUT))
        self._follow_layout(panes.layout_name)

    def _make(
        self, text: str, key: str | None, tip: str, slot, *, checkable: bool = False
    ) -> QAction:
        action = QAction(text, self)
        if key:
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            tip = f"{tip}  [{QKeySequence(key).toString()}]"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: slot())
        if self.parent() is not None:
            self.parent().addAction(action)  # shortcuts work even when not in the toolbar
        return action

    def actions_for_menu(self, menu: QMenu) -> None:
        """Put every reading-room command into ``menu`` (the View menu)."""
        layouts = menu.addMenu("&Layout")
        for action in self.layout_actions.values():
            layouts.addAction(action)
        layouts.addAction(self.action_next_pane)
        for action in (self.action_fit, self.action_actual):
            menu.addAction(action)
        compare = menu.addMenu("&Compare")
        for action in (
            self.action_flicker,
            self.action_flicker_run,
            self.action_swipe,
            self.action_compare_off,
        ):
            compare.addAction(action)
        rois = menu.addMenu("&ROI")
        for action in (self.action_roi_rect, self.action_roi_ellipse, self.action_roi_clear):
            rois.addAction(action)

    # -- commands -----------------------------------------------------------------------
    def set_layout(self, name: str) -> None:
        """Switch layout (ends flicker/swipe) and remember it."""
        if self.compare.mode != "off":
            self.compare.set_mode("off")
        self.panes.set_layout(name)
        self.settings.set_view_layout(name)

    def _set_pair(self) -> None:
        left, right = self.left.currentData(), self.right.currentData()
        if left == right:  # keep two different panes: swap the other one
            others = [k for k in PANES if k != left]
            right = self.panes.pair[0] if self.panes.pair[0] != left else others[0]
        self.panes.set_pair(left, right)
        self.settings.set_view_panes("pair", [left, right])
        self._follow_layout(self.panes.layout_name)

    def _toggle_flicker_timer(self) -> None:
        self.compare.set_running(not self.compare.timer.isActive())

    def _toggle_swipe(self) -> None:
        self.compare.set_mode("off" if self.compare.mode == "swipe" else "swipe")

    def _compare_off(self) -> None:
        self.rois.arm(None)
        if self.compare.mode != "off":
            self.compare.set_mode("off")
            self.panes.set_layout(self.settings.view_layout(DEFAULT_LAYOUT))

    # -- follow -------------------------------------------------------------------------
    def _follow_layout(self, name: str) -> None:
        self.layout_actions[name].setChecked(True)
        self.single_widget.setVisible(name == "1x1")
        self.left_widget.setVisible(name == "1x2")
        self.right_widget.setVisible(name == "1x2")
        for combo, key in (
            (self.single, self.panes.single),
            (self.left, self.panes.pair[0]),
            (self.right, self.panes.pair[1]),
        ):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(combo.findData(key))
        if name == "1x1" and self.compare.mode == "off":
            self.settings.set_view_panes("single", [self.panes.single])

    def _follow_compare(self) -> None:
        with QSignalBlocker(self.action_swipe):
            self.action_swipe.setChecked(self.compare.mode == "swipe")
        with QSignalBlocker(self.action_flicker_run):
            self.action_flicker_run.setChecked(self.compare.timer.isActive())

    def _follow_roi(self, shape) -> None:
        for action, key in ((self.action_roi_rect, "rect"), (self.action_roi_ellipse, "ellipse")):
            with QSignalBlocker(action):
                action.setChecked(shape == key)

    def _follow_cine(self, playing: bool) -> None:
        with QSignalBlocker(self.action_cine):
            self.action_cine.setChecked(playing)
