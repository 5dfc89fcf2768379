"""The Trust panel: overlay a trust map on a pane, read its value, and run a lesion test.

Maps (:data:`denoscope.app.trust_jobs.MAPS`) are computed on the panel's own
:class:`~denoscope.app.workers.LatestWorker` (latest request wins, cancelled
when the slice or parameters change) and drawn as an extra image item on the
denoised pane (with an opacity control) or over the difference pane. The
"Lesion test" button inserts discs into the shown slice's truth, shows the
lesion-present truth, noisy input and model output in their panes (until the
next result), outlines the discs on every pane (green kept, red lost) and
lists the contrast retained per lesion.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from denoscope.app import trust_jobs
from denoscope.app.state import ViewerState
from denoscope.app.workers import LatestWorker

#: Where a map is drawn: key -> label.
TARGETS = {"denoised": "Overlay on denoised", "difference": "In the difference pane"}

_CMAPS = {"removed": "CET-D1", "signed": "CET-D1", "uncertainty": "viridis"}

#: The overlay set-up of a new window, and of "Reset review set-up to defaults".
DEFAULT_OVERLAYS: dict[str, Any] = {"map": None, "target": "denoised", "opacity": 60}

#: Pane -> lesion-test image shown in it.
_LESION_PANES = (("truth", "clean_present"), ("noisy", "noisy_present"), ("denoised", "model"))


class TrustPanel(QWidget):
    """Trust maps and the lesion test for the shown slice.

    Parameters
    ----------
    state : ViewerState
        The viewer's state.
    panes : ImagePanes
        The image panes the overlays and outlines are drawn on.

    Signals
    -------
    overlayChanged()
        The reader changed the map, where it is shown or its opacity (the review
        set-up saves it, :mod:`denoscope.app.review_setup`).
    """

    overlayChanged = Signal()

    def __init__(self, state: ViewerState, panes: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.panes = state, panes
        self.maps_worker = LatestWorker("trust-map", self)
        self.lesion_worker = LatestWorker("lesion-test", self)
        self.current: trust_jobs.TrustMap | None = None
        self.lesions: Any = None
        self.overlay = pg.ImageItem(axisOrder="row-major")
        self.overlay.setZValue(10)
        self._overlay_view: Any = None
        self._levels: tuple[float, float] = (0.0, 1.0)
        self._outlines: list[tuple[Any, Any]] = []

        self.map_choice = QComboBox()
        self.map_choice.addItem("None", None)
        for key, label in trust_jobs.MAPS.items():
            self.map_choice.addItem(label, key)
        self.target = QComboBox()
        for key, label in TARGETS.items():
            self.target.addItem(label, key)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(int(DEFAULT_OVERLAYS["opacity"]))
        self.legend = QLabel("")
        self.legend.setWordWrap(True)
        self.hover = QLabel("")
        self.lesion_button = QPushButton("Lesion test")
        self.lesion_button.setToolTip(
            "Insert 8 low-contrast discs into this slice's truth, add the noise, denoise, and "
            "list the contrast each one keeps (lost: under 50 %)"
        )
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["row", "col", "radius", "contrast", "retained"])
        self.table.verticalHeader().setVisible(False)
        form = QFormLayout()
        form.addRow("Map", self.map_choice)
        form.addRow("Show", self.target)
        form.addRow("Opacity", self.opacity)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.legend)
        layout.addWidget(self.hover)
        layout.addWidget(self.lesion_button)
        layout.addWidget(self.table, 1)

        self.map_choice.currentIndexChanged.connect(lambda _i: self.request_map())
        self.target.currentIndexChanged.connect(lambda _i: self._draw_map())
        self.opacity.valueChanged.connect(self._apply_opacity)
        for signal in (
            self.map_choice.currentIndexChanged,
            self.target.currentIndexChanged,
            self.opacity.valueChanged,
        ):
            signal.connect(lambda _v: self.overlayChanged.emit())
        self.lesion_button.clicked.connect(self.run_lesion_test)
        self.maps_worker.finished.connect(self._on_map)
        self.lesion_worker.finished.connect(self._on_lesions)
        for worker in (self.maps_worker, self.lesion_worker):
            worker.failed.connect(self._on_failed)
            worker.progress.connect(lambda _g, d, n: state.progressChanged.emit("trust", d, n))
            worker.started.connect(lambda _g: state.set_busy("trust", True))
            worker.idle.connect(self._on_idle)
        state.resultChanged.connect(self._on_result)
        state.studyChanged.connect(lambda _s: self._clear_lesions())
        panes.hoverChanged.connect(self._on_hover)  # the panes' hover readout, any pane
        state.trust_record = self.record  # read by app.export.provenance for the sidecar
        state.trust_display = self.display  # read by app.evidence to render exports as shown

    def fill_menu(self, menu: Any) -> None:
        """Add the panel's actions to a menu: the map choice and "Run lesion test" (Ctrl+L)."""
        group = QActionGroup(self)
        for index in range(self.map_choice.count()):
            action = QAction(f"Map: {self.map_choice.itemText(index)}", self)
            action.setCheckable(True)
            action.setChecked(index == self.map_choice.currentIndex())
            action.triggered.connect(lambda _c=False, i=index: self.map_choice.setCurrentIndex(i))
            self.map_choice.currentIndexChanged.connect(
                lambda i, a=action, k=index: a.setChecked(i == k)
            )
            group.addAction(action)
            menu.addAction(action)
        menu.addSeparator()
        self.action_lesion_test = QAction("Run &lesion test", self)
        self.action_lesion_test.setShortcut(QKeySequence("Ctrl+L"))
        self.action_lesion_test.triggered.connect(lambda _c=False: self.run_lesion_test())
        menu.addAction(self.action_lesion_test)

    # -- overlay set-up (kept per modality by the review set-up) -------------------------
    def overlay_setup(self) -> dict[str, Any]:
        """The shown overlay choice: ``{"map": key or None, "target": key, "opacity": 0-100}``."""
        return {
            "map": self.map_key(),
            "target": self.target.currentData(),
            "opacity": int(self.opacity.value()),
        }

    def apply_overlay_setup(self, setup: dict[str, Any]) -> None:
        """Show a saved overlay choice; an unknown map or target, or a bad opacity, is ignored.

        Parameters
        ----------
        setup : dict
            As :meth:`overlay_setup` returns (fields may be missing).
        """
        if not isinstance(setup, dict):
            return
        if "map" in setup and (setup["map"] is None or setup["map"] in trust_jobs.MAPS):
            self.map_choice.setCurrentIndex(self.map_choice.findData(setup["map"]))
        if setup.get("target") in TARGETS:
            self.target.setCurrentIndex(self.target.findData(setup["target"]))
        opacity = setup.get("opacity")
        if isinstance(opacity, int) and not isinstance(opacity, bool) and 0 <= opacity <= 100:
            self.opacity.setValue(opacity)

    # -- requests ---------------------------------------------------------------------
    def map_key(self) -> str | None:
        """The chosen map's key (None: no map)."""
        return self.map_choice.currentData()

    def request_map(self) -> None:
        """Compute the chosen map for the shown result (latest request wins)."""
        key, result = self.map_key(), self.state.result
        if key is None or result is None or self.state.study is None:
            self.maps_worker.cancel()
            self.current = None
            self._draw_map()
            return
        self.legend.setText("computing…")
        self.maps_worker.submit(trust_jobs.compute_map, self.state.study, result, key)

    def run_lesion_test(self) -> None:
        """Start the lesion test on the shown slice."""
        result = self.state.result
        if result is None or self.state.study is None:
            self.state.report("warning", "Open a study first: the lesion test needs a slice.")
            return
        self.legend.setText("lesion test running…")
        self.lesion_worker.submit(trust_jobs.lesion_run, self.state.study, result)

    def shutdown(self, msecs: int = 300) -> None:
        """Cancel, wait at most ``msecs`` in all, then close the panel's workers (window closing).

        A job still inside an uninterruptible step finishes on its own thread and
        reports to nobody (:meth:`~denoscope.app.workers.LatestWorker.close`).
        """
        import time

        workers = (self.maps_worker, self.lesion_worker)
        for worker in workers:
            worker.cancel()
        deadline = time.monotonic() + msecs / 1000.0
        for worker in workers:
            worker.wait_done(max(int((deadline - time.monotonic()) * 1000), 0))
        for worker in workers:
            worker.close()

    def is_busy(self) -> bool:
        """Whether a map or lesion test is running or waiting."""
        return self.maps_worker.is_busy() or self.lesion_worker.is_busy()

    # -- results ------------------------------------------------------------------------
    def _on_result(self, result: Any) -> None:
        self.lesion_worker.cancel()
        self._clear_lesions()
        self.current = None  # the old result's map is not shown over the new result
        self._draw_map()
        if result is None:
            self.maps_worker.cancel()
            return
        self.request_map()

    def _on_map(self, _gen: int, trust_map: trust_jobs.TrustMap) -> None:
        self.current = trust_map
        self._draw_map()

    def _on_lesions(self, _gen: int, lesions: Any) -> None:
        self.lesions = lesions
        self._show_lesion_images()
        self._draw_outlines()
        self._fill_table()
        model = lesions.methods["model"]
        self.legend.setText(
            f"Lesion test: {len(lesions.lesions)} discs; model keeps "
            f"{model.mean_retained:.0%} of the contrast on average, loses "
            f"{model.fraction_lost:.0%} (retained < 50 %)"
        )

    def _on_failed(self, _gen: int, error: BaseException) -> None:
        from denoscope.app.controller import describe_error

        self.legend.setText("")
        self.state.report("error", describe_error(error))

    def _on_idle(self) -> None:
        if not self.is_busy():
            self.state.set_busy("trust", False)

    # -- drawing ------------------------------------------------------------------------
    def _draw_map(self) -> None:
        if self._overlay_view is not None:
            self._overlay_view.removeItem(self.overlay)
            self._overlay_view = None
        trust_map = self.current
        if trust_map is None or self.map_key() is None:
            self.legend.setText("")
            return
        if trust_map.image is None:
            self.legend.setText(f"{trust_jobs.MAPS[trust_map.key]}: {trust_map.note}")
            return
        image = trust_map.image
        limit = float(np.percentile(np.abs(image), 99.5)) or 1.0
        if trust_map.key == "removed":
            limit = max(limit, 4.0)
        levels = (-limit, limit) if trust_map.signed else (0.0, limit)
        cmap = pg.colormap.get(_CMAPS.get(trust_map.key, "inferno"))
        self._levels = levels
        self.overlay.setImage(image, autoLevels=False, levels=levels)
        self.overlay.setLookupTable(cmap.getLookupTable(nPts=256))
        view = self.panes.views[self.target.currentData()]
        view.addItem(self.overlay)
        self._overlay_view = view
        self._apply_opacity(self.opacity.value())
        text = (
            f"{trust_jobs.MAPS[trust_map.key]} in {trust_map.unit}: colour scale "
            f"{levels[0]:.3g} … {levels[1]:.3g}"
        )
        self.legend.setText(text + (f" ({trust_map.note})" if trust_map.note else ""))

    def _apply_opacity(self, value: int) -> None:
        opaque = self.target.currentData() == "difference"
        self.overlay.setOpacity(1.0 if opaque else value / 100.0)

    def _clear_lesions(self) -> None:
        for view, item in self._outlines:
            view.removeItem(item)
        self._outlines = []
        self.lesions = None
        self.table.setRowCount(0)

    def _show_lesion_images(self) -> None:
        """Show the lesion-present truth, noisy input and model output in their panes."""
        images = self.lesions.images
        to_units = self.state.study.normalization.from_unit
        center, width = self.state.window
        levels = (center - width / 2.0, center + width / 2.0)
        for key, name in _LESION_PANES:
            if key in self.panes.items and name in images:
                shown = np.asarray(to_units(images[name]), np.float32)
                self.panes.data[key] = shown
                self.panes.items[key].setImage(shown, autoLevels=False, levels=levels)
        if hasattr(self.panes, "refresh_values"):
            self.panes.refresh_values()

    def _draw_outlines(self) -> None:
        for view, item in self._outlines:
            view.removeItem(item)
        self._outlines = []
        retained = self.lesions.methods["model"].retained
        for view in self.panes.views.values():
            for lesion, kept in zip(self.lesions.lesions, retained, strict=True):
                colour = "#ff5555" if kept < 0.5 else "#55ff88"
                circle = pg.QtWidgets.QGraphicsEllipseItem(
                    lesion.col - lesion.radius - 1.5,
                    lesion.row - lesion.radius - 1.5,
                    2 * lesion.radius + 3,
                    2 * lesion.radius + 3,
                )
                circle.setPen(pg.mkPen(colour, width=1.5, cosmetic=True))
                circle.setZValue(20)
                view.addItem(circle)
                self._outlines.append((view, circle))

    def _fill_table(self) -> None:
        span = float(self.state.study.normalization.span)
        unit = "HU" if self.state.study.study.modality == "ct" else "a.u."
        lesions, retained = self.lesions.lesions, self.lesions.methods["model"].retained
        self.table.setRowCount(len(lesions))
        for row, (lesion, kept) in enumerate(zip(lesions, retained, strict=True)):
            values = [
                str(lesion.row),
                str(lesion.col),
                f"{lesion.radius} px",
                f"{lesion.contrast * span:+.1f} {unit}",
                f"{kept:.0%}",
            ]
            for col, text in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(text))

    # -- hover and exports --------------------------------------------------------------
    def value_at(self, row: int, col: int) -> float | None:
        """The shown map's value at (row, col), None outside or without a map."""
        trust_map = self.current
        if trust_map is None or trust_map.image is None or self.map_key() is None:
            return None
        image = trust_map.image
        if not (0 <= row < image.shape[0] and 0 <= col < image.shape[1]):
            return None
        return float(image[row, col])

    def _on_hover(self, _text: str) -> None:
        hover = getattr(self.panes, "hover", None)
        if hover is None:
            self.hover.setText("")
        else:
            self.show_value(*hover)

    def show_value(self, row: int, col: int) -> None:
        """Show the map's value at (row, col) under the legend."""
        value = self.value_at(row, col)
        unit = "" if self.current is None else self.current.unit
        self.hover.setText("" if value is None else f"({row}, {col}): {value:.3g} {unit}")

    def display(self) -> dict[str, Any]:
        """What the panes show beyond the result, for exports (``app.evidence.trust_display``)."""
        out: dict[str, Any] = {}
        if self.lesions is not None:
            to_units = self.state.study.normalization.from_unit
            images = self.lesions.images
            out["images"] = {
                key: np.asarray(to_units(images[name]), np.float32)
                for key, name in _LESION_PANES
                if name in images
            }
            retained = self.lesions.methods["model"].retained
            out["lesions"] = [
                (les.row, les.col, les.radius, kept >= 0.5)
                for les, kept in zip(self.lesions.lesions, retained, strict=True)
            ]
        if self._overlay_view is not None and self.current is not None:
            out["overlay"] = {
                "pane": self.target.currentData(),
                "image": self.current.image,
                "levels": self._levels,
                "cmap": _CMAPS.get(self.current.key, "inferno"),
                "opacity": self.overlay.opacity(),
            }
        return out

    def record(self) -> dict[str, Any] | None:
        """What the panel shows, for the export sidecar (None when nothing is shown)."""
        out: dict[str, Any] = {}
        if self.current is not None and self.current.image is not None and self.map_key():
            out["map"] = {
                "key": self.current.key,
                "label": trust_jobs.MAPS[self.current.key],
                "unit": self.current.unit,
                "shown": self.target.currentData(),
                "opacity": self.opacity.value() / 100.0,
                "params": self.current.params,
            }
        if self.lesions is not None:
            out["lesion_test"] = self.lesions.as_json()
        return out or None
