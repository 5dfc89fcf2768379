"""The main window: menus, docks, status bar and drag-and-drop; no computation.

Panels live in :mod:`denoscope.app.widgets` and take the
:class:`~denoscope.app.state.ViewerState`; background work goes through the
:class:`~denoscope.app.controller.Controller`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QEventLoop, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QFontDatabase,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from denoscope.app.controller import Controller, describe_error
from denoscope.app.export_actions import ExportActions
from denoscope.app.samples import SAMPLE_LABELS, SAMPLE_MODALITIES
from denoscope.app.settings import Settings
from denoscope.app.state import ViewerState
from denoscope.app.widgets.banner import Banner
from denoscope.app.widgets.controls import Controls
from denoscope.app.widgets.image_panes import ImagePanes
from denoscope.app.widgets.job_status import JobStatus
from denoscope.app.widgets.metrics_table import MetricsTable
from denoscope.app.widgets.roi_table import RoiTable
from denoscope.app.widgets.series_picker import SeriesBar
from denoscope.app.widgets.slice_plot import SlicePlot
from denoscope.app.widgets.tag_browser import TagBrowser
from denoscope.app.widgets.view_toolbar import ViewToolbar
from denoscope.app.widgets.window_controls import WindowControls


class MainWindow(QMainWindow):
    """Denoscope's main window.

    Parameters
    ----------
    settings : Settings, optional
        Where preferences are kept; the user's QSettings by default.
    series_metrics : bool
        Compute PSNR/SSIM across the slices of a series.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        series_metrics: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Denoscope")
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.resize(*initial_size())
        self.settings = settings if settings is not None else Settings()
        self._loading_name = ""
        self.state = ViewerState(self)
        self.controller = Controller(self.state, series_metrics=series_metrics, parent=self)

        self.state.set_params(device=self.settings.device())
        self.banner = Banner(self.state)
        self.panes = ImagePanes(self.state)
        self.series_bar = SeriesBar(self.state)
        self.series_bar.seriesChosen.connect(self._open_series)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.panes, 1)
        layout.addWidget(self.series_bar)
        self.setCentralWidget(central)

        self._build_status_bar()
        self.docks: dict[str, QDockWidget] = {}
        self._build_docks()
        self.exports = ExportActions(self)
        self.exports.include_identifying.toggled.connect(
            lambda _on: self.status_study.setText(self._study_text())
        )
        self.view_toolbar = ViewToolbar(self.panes, self.settings, self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.view_toolbar)
        self.add_dock(
            "roi",
            "ROI statistics",
            RoiTable(self.view_toolbar.rois),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.tabifyDockWidget(self.docks["slices"], self.docks["roi"])
        self.docks["roi"].raise_()
        if "trust" in self.docks:  # one column of tabs on the right: the window fits 1280×800
            self.tabifyDockWidget(self.docks["window"], self.docks["trust"])
            self.docks["window"].raise_()
        self.resizeDocks(
            [self.docks["controls"], self.docks["window"]], [560, 300], Qt.Orientation.Vertical
        )
        self.resizeDocks(
            [self.docks["metrics"], self.docks["roi"]], [820, 580], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.docks["metrics"]], [235], Qt.Orientation.Vertical)
        from denoscope.app.review_setup import ReviewSetupKeeper
        from denoscope.app.widgets.trust_panel import DEFAULT_OVERLAYS

        self.review_setup = ReviewSetupKeeper(
            self.state,
            self.settings,
            get_layout=lambda: self.panes.layout_name,
            set_layout=self.view_toolbar.set_layout,
            get_overlays=self.trust.overlay_setup,
            set_overlays=self.trust.apply_overlay_setup,
            default_overlays=DEFAULT_OVERLAYS,
            parent=self,
        )
        self.controller.review_setup = self.review_setup
        self.panes.layoutChanged.connect(lambda _name: self.review_setup.save())
        self.trust.overlayChanged.connect(self.review_setup.save)
        self._build_menus()
        self._restore_layout()

        self.state.resultChanged.connect(self._on_result)
        self.state.studyChanged.connect(self._on_study)
        self.state.message.connect(self._on_message)
        self.controller.loader.failed.connect(self._on_load_failed)
        self.controller.denoiser.failed.connect(lambda _g, _e: self.status_inference.setText(""))

    # -- construction -----------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_study = QLabel("No study: drop a DICOM or PNG file or folder here")
        self.status_hover = QLabel("")
        self.status_inference = QLabel("")
        self.status_inference.setObjectName("inferenceStatus")
        self.jobs = JobStatus(self.state, self.controller)
        self.progress = self.jobs.bar
        bar.addWidget(self.status_study, 1)
        bar.addWidget(self.status_hover)
        bar.addPermanentWidget(self.jobs)
        bar.addPermanentWidget(self.status_inference)
        self.panes.hoverChanged.connect(self.status_hover.setText)

    def add_dock(
        self,
        key: str,
        title: str,
        widget: QWidget,
        area: Qt.DockWidgetArea,
        *,
        scroll: bool = False,
    ) -> None:
        """Add ``widget`` as a dock (named for layout saving); ``scroll`` wraps it in a
        scroll area so a tall panel never forces the window taller than the screen."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{key}")
        if scroll:
            area_widget = QScrollArea()
            area_widget.setWidgetResizable(True)
            area_widget.setFrameShape(QScrollArea.Shape.NoFrame)
            area_widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            area_widget.setMinimumWidth(widget.minimumSizeHint().width() + 16)
            area_widget.setWidget(widget)
            widget = area_widget
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[key] = dock

    def _build_docks(self) -> None:
        right, bottom = (
            Qt.DockWidgetArea.RightDockWidgetArea,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.controls = Controls(self.state)
        self.window_controls = WindowControls(self.state, self.settings)
        self.metrics = MetricsTable(self.state)
        self.slice_plot = SlicePlot(self.state)
        self.tags = TagBrowser(self.state)
        self.add_dock("controls", "Controls", self.controls, right, scroll=True)
        self.add_dock("window", "Window / level", self.window_controls, right)
        self.add_dock("tags", "DICOM tags", self.tags, right)
        from denoscope.app.widgets.trust_panel import TrustPanel

        self.trust = TrustPanel(self.state, self.panes)  # trust maps and the lesion test
        self.add_dock("trust", "Trust", self.trust, right)
        self.tabifyDockWidget(self.docks["window"], self.docks["tags"])
        self.docks["window"].raise_()
        self.add_dock("metrics", "Metrics", self.metrics, bottom)
        self.add_dock("slices", "Across slices", self.slice_plot, bottom)
        self.slice_plot.enabled.setChecked(self.controller.series_enabled)
        self.slice_plot.enabled.toggled.connect(self.controller.set_series_enabled)
        self.state.paramsChanged.connect(lambda p: self.settings.set_device(p.device))
        self.resizeDocks(
            [self.docks["metrics"], self.docks["slices"]], [900, 500], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.docks["metrics"]], [240], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["controls"]], [380], Qt.Orientation.Horizontal)

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        self.action_open = QAction("&Open file…", self)
        self.action_open.setShortcut(QKeySequence.StandardKey.Open)
        self.action_open.triggered.connect(self.open_file_dialog)
        menu.addAction(self.action_open)
        self.action_open_folder = QAction("Open &folder…", self)
        self.action_open_folder.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.action_open_folder.triggered.connect(self.open_folder_dialog)
        menu.addAction(self.action_open_folder)
        from denoscope.app.study.open_study import add_open_study_action

        self.action_open_study = add_open_study_action(self, menu)  # reader study (issue 15)
        from denoscope.app.memory_limit import add_memory_limit_action, apply_saved_limit

        apply_saved_limit(self.settings)
        self.action_memory_limit = add_memory_limit_action(self, menu)  # issue 14
        self.recent_menu = menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        samples = menu.addMenu("Open &sample")
        from denoscope.core.resources import SAMPLE_FILES

        for name in SAMPLE_FILES:
            action = samples.addAction(SAMPLE_LABELS.get(name, name))
            action.triggered.connect(lambda _checked=False, n=name: self.open_sample(n))
        menu.addSeparator()
        exports = self.exports
        self.action_export = self._action(
            menu, "&Export comparison screenshot…", "Ctrl+E", exports.export_comparison_dialog
        )
        self._action(
            menu,
            "Export comparison with &full-resolution panes…",
            "Ctrl+Alt+E",
            lambda: exports.export_comparison_dialog(full_resolution=True),
        )
        self._action(
            menu, "Export denoised &image…", "Ctrl+Shift+E", exports.export_denoised_dialog
        )
        self._action(
            menu,
            "Export denoised &series…",
            None,
            lambda: exports.export_denoised_dialog(series=True),
        )
        self._action(menu, "Export &metrics CSV…", None, exports.export_metrics_dialog)
        menu.addAction(exports.include_identifying)
        menu.addAction(exports.anonymize)
        menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        self.file_menu = menu
        self.view_menu = self.menuBar().addMenu("&View")
        self.view_toolbar.actions_for_menu(self.view_menu)
        self._action(self.view_menu, "Reset &window", "R", self.window_controls.reset_window)
        presets = self.view_menu.addMenu("Window &presets")
        for action in self.window_controls.preset_actions(self):
            presets.addAction(action)
        self._action(
            self.view_menu,
            "Reset review set-up to &defaults",
            None,
            self.review_setup.reset_to_defaults,
        )
        self.view_menu.addSeparator()
        for dock in self.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        navigate = self.menuBar().addMenu("&Navigate")
        for text, keys, step in (
            ("Next slice", ("Right", "PgDown"), 1),
            ("Previous slice", ("Left", "PgUp"), -1),
        ):
            action = self._action(navigate, text, None, lambda s=step: self.step_slice(s))
            action.setShortcuts([QKeySequence(k) for k in keys])
        for text, keys, step in (
            ("Next series", ("Ctrl+PgDown", "Ctrl+Down"), 1),
            ("Previous series", ("Ctrl+PgUp", "Ctrl+Up"), -1),
        ):
            action = self._action(navigate, text, None, lambda s=step: self.step_series(s))
            action.setShortcuts([QKeySequence(k) for k in keys])
        self._action(navigate, "New noise (next seed)", "N", self.controls.next_seed)
        self.trust.fill_menu(self.menuBar().addMenu("&Trust"))
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Keyboard and mouse", "F1", self.show_shortcuts)
        self._action(help_menu, "&About Denoscope", None, self.show_about)

    def shortcuts_text(self) -> str:
        """Every menu shortcut, plus the mouse gestures, as plain text."""
        lines: list[str] = []

        def walk(actions) -> None:
            for action in actions:
                if action.menu() is not None:
                    walk(action.menu().actions())
                    continue
                keys = ", ".join(k.toString() for k in action.shortcuts())
                if keys:
                    lines.append(f"{keys:<22} {action.text().replace('&', '')}")

        walk(self.menuBar().actions())
        lines += [
            "",
            "Mouse over the images:",
            "  wheel                 next / previous slice (series); Ctrl+wheel zooms",
            "  left drag             pan (all panes together)",
            "  right drag            zoom",
            "  middle or Ctrl+left drag   window/level as in Weasis/OHIF: horizontal = width (right: wider), vertical = level (down: higher level, darker)",
        ]
        return "\n".join(lines)

    def show_shortcuts(self) -> None:
        """Help > Keyboard and mouse."""
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard and mouse")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.shortcuts_text())
        box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        box.exec()

    def show_about(self) -> None:
        """Help > About."""
        from denoscope import __version__

        QMessageBox.about(
            self,
            "About Denoscope",
            f"Denoscope {__version__}\n\nReview deep-learning denoising of MRI, CT and X-ray "
            "studies: noisy, denoised and ground truth side by side with honest metrics.\n\n"
            "Not a medical device: for research and quality review only.",
        )

    def _action(self, menu, text: str, shortcut: str | None, slot) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def step_slice(self, step: int) -> None:
        """Show the next (``step=1``) or previous (``-1``) slice."""
        self.state.set_slice(self.state.slice_index + step)

    def step_series(self, step: int) -> str | None:
        """Open the next (``step=1``) or previous (``-1``) series of the folder, if any."""
        loaded = self.state.study
        series = [] if loaded is None else [s.series_uid for s in loaded.series if s.series_uid]
        if len(series) < 2:
            return None
        current = loaded.study.series_uid
        index = series.index(current) if current in series else -1
        uid = series[(index + step) % len(series)]
        self._open_series(uid)
        return uid

    # -- opening ------------------------------------------------------------------------
    def open_path(self, path: str | Path, *, series_uid: str | None = None, **params) -> None:
        """Load a file or folder in the background and show it."""
        path = Path(path)
        self._loading_name = path.name
        self.status_study.setText(f"Loading {path.name}…")
        self.settings.add_recent(path)
        self.controller.open(path, series_uid=series_uid, **params)

    def _open_series(self, series_uid: str) -> None:
        if self.state.study is not None:
            self.controller.open(self.state.study.path, series_uid=series_uid)

    def open_sample(self, name: str) -> None:
        """Open one of the bundled sample studies."""
        from denoscope.core.resources import sample_path

        self.open_path(sample_path(name), modality=SAMPLE_MODALITIES.get(name, "ct"))

    def open_file_dialog(self) -> None:
        """File > Open file."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open study",
            self.settings.last_folder(),
            "Studies (*.dcm *.DCM *.png *.PNG *.ima *.IMA);;All files (*)",
        )
        if path:
            self.settings.set_last_folder(Path(path).parent)
            self.open_path(path)

    def open_folder_dialog(self) -> None:
        """File > Open folder."""
        path = QFileDialog.getExistingDirectory(self, "Open folder", self.settings.last_folder())
        if path:
            self.settings.set_last_folder(Path(path))
            self.open_path(path)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent()
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for path in recent:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))

    # -- drag and drop ------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt naming
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt naming
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            self.state.report("error", "Only local files or folders can be opened.")
            return
        event.acceptProposedAction()
        if len(paths) > 1 and all(path.is_file() for path in paths):
            self.open_files(paths)  # exactly these files: one stack, or the first with a note
        else:
            self.open_path(paths[0])

    def open_files(self, paths: list[Path], **params) -> None:
        """Open exactly these files in the background (several dropped at once)."""
        self._loading_name = f"{len(paths)} files"
        self.status_study.setText(f"Loading {len(paths)} files…")
        self.controller.open_files(paths, **params)

    # -- state -> status ----------------------------------------------------------------
    def _on_study(self, loaded) -> None:
        if loaded is None:
            return
        self.status_study.setText(self._study_text())
        self.setWindowTitle(f"Denoscope — {Path(loaded.study.source).name}")

    def _on_result(self, result) -> None:
        if result is None:
            return
        if result.seconds is None:
            self.status_inference.setText("no model")
        else:
            self.status_inference.setText(
                f"{result.model_name} · {result.seconds * 1000:.0f} ms on {result.device}"
            )

    def _study_text(self) -> str:
        loaded = self.state.study
        if loaded is None:
            return "No study: drop a DICOM or PNG file or folder here"
        study = loaded.study
        n, rows, cols = study.frames.shape
        # The status bar is in every screenshot: the series description and file name are
        # free text that can identify a patient, so they show only with "Include
        # identifying text in exports" (issue 14).
        if self.exports.include_identifying.isChecked():
            name = study.description or Path(study.source).name
        else:
            name = f"{study.dicom_modality or 'image'} study"
        return f"{name} · {study.modality.upper()} · {n} × {rows} × {cols}" + (
            f" · {study.transfer_syntax}" if study.transfer_syntax else ""
        )

    def _on_load_failed(self, _gen: int, _error: object) -> None:
        """The status bar stops saying "Loading…": it names the shown study again."""
        self.status_study.setText(f"Could not open {self._loading_name} · {self._study_text()}")

    def _on_message(self, kind: str, text: str) -> None:
        """Successes and cancellations show briefly in the status bar."""
        if kind == "info":
            self.statusBar().showMessage(text, 6000)

    def report_unexpected(self, error: BaseException) -> None:
        """Show an unexpected exception of a slot as a message (the traceback goes to stderr)."""
        self.state.report("error", describe_error(error))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Fill the controls once core's registries are imported off the GUI thread."""
        super().showEvent(event)
        if not getattr(self, "_warmup_asked", False):
            from denoscope.app.warmup import warmup

            self._warmup_asked = True
            warmup().when_ready(self.controls.populate)
        self.panes.graphics.setFocus()  # keys go to the images, not to a control

    def wait_settled(self, timeout_ms: float) -> bool:
        """Block (running the event loop) until the background work is done.

        Used by the offscreen screenshot and the benchmark; returns False on timeout.
        """
        if not self.controller.is_busy():
            return True
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        self.controller.settled.connect(loop.quit)
        timer.start(int(timeout_ms))
        loop.exec()
        self.controller.settled.disconnect(loop.quit)
        return timer.isActive() or not self.controller.is_busy()

    # -- settings -----------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry, layout = self.settings.layout()
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        if layout:
            self.restoreState(QByteArray(layout))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt naming
        self.settings.set_layout(bytes(self.saveGeometry().data()), bytes(self.saveState().data()))
        self.controller.shutdown()
        self.trust.shutdown()
        super().closeEvent(event)


def initial_size(fraction: float = 0.9) -> tuple[int, int]:
    """A first window size that uses most of the primary screen (1500×900 without one)."""
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return 1500, 900
    available = screen.availableGeometry()
    return max(int(available.width() * fraction), 800), max(int(available.height() * fraction), 600)
