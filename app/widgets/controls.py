"""Controls: model, noise model and level, seed, device, classical baseline, real-input mode.

Every control writes to the :class:`~denoscope.app.state.ViewerState` at once;
the panel also follows the state when it changes elsewhere (CLI, study load).
While the level slider is dragged, a new level is sent only when the previous
one's result has arrived (a live preview as fast as the CPU sustains), and the
released position is always sent last. The level is shown in physical units
(dose, photons, the noise SD measured in HU for CT), and noise models that do
not model the study's modality are marked and warn when chosen.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from denoscope.app.noise_defaults import fits, level_text, measured_noise_sd, mismatch_text
from denoscope.app.state import DIFF_MODES, Params, ViewerState

SLIDER_STEPS = 1000
MODALITY_LABELS = {"ct": "CT", "mri": "MRI", "xray": "X-ray"}
DEVICE_LABELS = {"auto": "Auto", "cpu": "CPU", "cuda": "CUDA"}


#: Range of the strength control (times the noise level given to the model).
STRENGTH_RANGE = (0.25, 2.0)


def level_to_slider(level: float, low: float, high: float, log: bool) -> int:
    """Slider position (0..SLIDER_STEPS) of a noise level."""
    if high <= low:
        return 0
    level = min(max(level, low), high)
    if log and low > 0:
        frac = math.log(level / low) / math.log(high / low)
    else:
        frac = (level - low) / (high - low)
    return round(frac * SLIDER_STEPS)


def slider_to_level(position: int, low: float, high: float, log: bool) -> float:
    """Noise level of a slider position (0..SLIDER_STEPS)."""
    frac = min(max(position, 0), SLIDER_STEPS) / SLIDER_STEPS
    if log and low > 0:
        return float(low * (high / low) ** frac)
    return float(low + frac * (high - low))


class Controls(QWidget):
    """The parameter panel of a :class:`ViewerState`.

    Parameters
    ----------
    state : ViewerState
        Read at construction, written on every edit, followed through ``paramsChanged``.
    """

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.noise_models: dict = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)

        model_box = QGroupBox("Model")
        form = QFormLayout(model_box)
        self.modality = QComboBox()
        for key, label in MODALITY_LABELS.items():
            self.modality.addItem(label, key)
        self.modality.setToolTip("Which modality's model denoises (chosen from the study)")
        form.addRow("Modality", self.modality)
        model_row = QHBoxLayout()
        self.model_label = QLabel("shipped")
        self.model_label.setWordWrap(True)
        self.model_button = QPushButton("File…")
        self.model_button.setToolTip("Use another model file (.safetensors with its .json card)")
        self.model_reset = QPushButton("Shipped")
        model_row.addWidget(self.model_label, 1)
        model_row.addWidget(self.model_button)
        model_row.addWidget(self.model_reset)
        form.addRow("Model", model_row)
        self.device = QComboBox()
        for key, label in DEVICE_LABELS.items():
            self.device.addItem(label, key)
        self.device_used = QLabel("")
        self.device_used.setObjectName("deviceUsed")
        device_row = QHBoxLayout()
        device_row.addWidget(self.device)
        device_row.addWidget(self.device_used, 1)
        form.addRow("Device", device_row)
        self.strength = QDoubleSpinBox()
        self.strength.setObjectName("strength")
        self.strength.setRange(STRENGTH_RANGE[0], STRENGTH_RANGE[1])
        self.strength.setSingleStep(0.05)
        self.strength.setDecimals(2)
        self.strength.setSuffix(" ×")
        self.strength.setValue(float(state.params.strength))
        self.strength.setToolTip(
            "Denoising strength: multiplies the noise level the model is told (its noise map). "
            "Below 1 keeps more texture and leaves more noise; above 1 smooths more. "
            "As vendors' low / standard / high settings: about 0.7 / 1 / 1.4. "
            "Blind models (no noise-level input) ignore it."
        )
        self.noise_level_shown = QLabel("")
        self.noise_level_shown.setObjectName("noiseLevelShown")
        self.noise_level_shown.setWordWrap(True)
        self.noise_level_shown.setToolTip(
            "σ: mean of the per-pixel noise level given to the model ([0, 1] units, after the "
            "strength): from the noise model for synthetic noise, estimated from the image "
            "on real input"
        )
        strength_row = QHBoxLayout()
        strength_row.addWidget(self.strength)
        strength_row.addWidget(self.noise_level_shown, 1)
        form.addRow("Strength", strength_row)
        layout.addWidget(model_box)

        noise_box = QGroupBox("Noise")
        form = QFormLayout(noise_box)
        self.real_input = QCheckBox("Real input (already noisy: no synthetic noise, no truth)")
        form.addRow(self.real_input)
        self.noise = QComboBox()
        self.noise.setToolTip(
            "How the synthetic noise is made; models marked 'not for …' do not describe "
            "this study's acquisition"
        )
        form.addRow("Noise type", self.noise)
        self.level_slider = QSlider(Qt.Orientation.Horizontal)
        self.level_slider.setRange(0, SLIDER_STEPS)
        self.level_spin = QDoubleSpinBox()
        self.level_spin.setDecimals(4)
        self.level_spin.setKeyboardTracking(False)
        self.level_unit = QLabel("")
        self.level_unit.setWordWrap(True)
        self.level_unit.setToolTip(
            "The level in physical units; the noise SD is measured on the shown slice "
            "(noisy − truth, over the body for CT)"
        )
        self.level_slider.setToolTip("Noise level: drag for a live preview")
        form.addRow("Level", self.level_slider)
        level_row = QHBoxLayout()
        level_row.addWidget(self.level_spin)
        level_row.addWidget(self.level_unit, 1)
        form.addRow("", level_row)
        seed_row = QHBoxLayout()
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.new_noise = QPushButton("New noise")
        self.new_noise.setToolTip("Draw a new noise realisation (next seed)  [N]")
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.new_noise)
        form.addRow("Seed", seed_row)
        layout.addWidget(noise_box)

        compare_box = QGroupBox("Compare")
        form = QFormLayout(compare_box)
        self.baseline = QComboBox()
        self.baseline.setToolTip(
            "A classical (non-learned) denoising filter shown in the metrics for comparison"
        )
        form.addRow("Classical filter", self.baseline)
        self.diff_mode = QComboBox()
        for key, label in DIFF_MODES.items():
            self.diff_mode.addItem(label, key)
        self.diff_mode.setToolTip("What the difference pane shows, in the study's units")
        form.addRow("Difference", self.diff_mode)
        layout.addWidget(compare_box)
        layout.addStretch(1)

        self.setEnabled(False)
        self.modality.currentIndexChanged.connect(
            lambda _i: state.set_params(modality=self.modality.currentData())
        )
        self.device.currentIndexChanged.connect(
            lambda _i: state.set_params(device=self.device.currentData())
        )
        self.model_button.clicked.connect(self.choose_model)
        self.model_reset.clicked.connect(lambda: state.set_params(model_path=None))
        self.real_input.toggled.connect(lambda on: state.set_params(real_input=bool(on)))
        self.noise.currentIndexChanged.connect(self._on_noise)
        self.level_slider.valueChanged.connect(self._on_slider)
        self.level_slider.sliderReleased.connect(self._on_slider_released)
        self._drag_pending: float | None = None
        state.resultChanged.connect(lambda _r: self._flush_drag())
        state.busyChanged.connect(lambda task, busy: self._flush_drag() if not busy else None)
        self.level_spin.valueChanged.connect(lambda v: state.set_params(level=float(v)))
        self.seed.valueChanged.connect(lambda v: state.set_params(seed=int(v)))
        self.strength.valueChanged.connect(lambda v: state.set_params(strength=float(v)))
        state.resultChanged.connect(self._show_noise_level)
        self.new_noise.clicked.connect(self.next_seed)
        self.baseline.currentIndexChanged.connect(
            lambda _i: state.set_params(baseline=self.baseline.currentData())
        )
        self.diff_mode.currentIndexChanged.connect(
            lambda _i: state.set_diff_mode(self.diff_mode.currentData())
        )
        state.paramsChanged.connect(self._follow_params)
        state.diffModeChanged.connect(lambda mode: self._select(self.diff_mode, mode))
        state.resultChanged.connect(self._on_result)
        state.studyChanged.connect(lambda _s: self._on_study())

    def populate(self) -> None:
        """Fill the noise and baseline lists from core's registries (once).

        Deferred until the window is shown or a study arrives: importing the
        registries pulls in SciPy and scikit-image, which the loading thread has
        usually imported already by then, so start-up stays fast.
        """
        if self.noise_models:
            return
        from denoscope.core.baselines import BASELINES
        from denoscope.core.noise import NOISE_MODELS

        self.noise_models = NOISE_MODELS
        tooltip = Qt.ItemDataRole.ToolTipRole
        with QSignalBlocker(self.noise), QSignalBlocker(self.baseline):
            for name, model in NOISE_MODELS.items():
                self.noise.addItem(model.label, name)
                self.noise.setItemData(self.noise.count() - 1, model.description, tooltip)
            self.baseline.addItem("None", None)
            for name, baseline in BASELINES.items():
                self.baseline.addItem(baseline.label, name)
                self.baseline.setItemData(self.baseline.count() - 1, baseline.description, tooltip)
        self.setEnabled(True)
        self._follow_params(self.state.params)

    # -- edits -> state -------------------------------------------------------------------
    def _noise_model(self, name: str | None = None):
        return self.noise_models[name or self.state.params.noise]

    def _on_study(self) -> None:
        self.populate()
        if self.noise_models:
            self._mark_fit()
            self._update_level_text()

    def study_modality(self) -> str:
        """Modality of the shown study ("unknown" when none)."""
        loaded = self.state.study
        return "unknown" if loaded is None else str(loaded.study.modality)

    def _on_noise(self, _index: int) -> None:
        name = self.noise.currentData()
        modality = self.state.params.modality
        self.state.set_params(noise=name, level=self._noise_model(name).default_level(modality))
        warning = mismatch_text(name, self.study_modality())
        if warning:
            self.state.report("warning", warning)

    def _slider_level(self, position: int) -> float:
        model = self._noise_model()
        return slider_to_level(position, model.min_level, model.max_level, model.log_scale)

    def _on_slider(self, position: int) -> None:
        level = self._slider_level(position)
        if self.level_slider.isSliderDown() and self.state.busy.get("denoise"):
            # Live preview: wait for the running result, then send the latest position.
            self._drag_pending = level
            with QSignalBlocker(self.level_spin):
                self.level_spin.setValue(level)
            return
        self._drag_pending = None
        self.state.set_params(level=level)

    def _flush_drag(self) -> None:
        """Send the level dragged to while the previous result was being computed."""
        if self._drag_pending is not None and not self.state.busy.get("denoise"):
            level, self._drag_pending = self._drag_pending, None
            self.state.set_params(level=level)

    def _on_slider_released(self) -> None:
        """The drag ended: the released position is the one computed (latest wins)."""
        self._drag_pending = None
        self.state.set_params(level=self._slider_level(self.level_slider.value()))

    def set_level_position(self, position: int) -> None:
        """Move the level slider (as a user would)."""
        self.level_slider.setValue(position)

    def next_seed(self) -> None:
        """Draw new noise: the next seed."""
        self.state.set_params(seed=(self.state.params.seed + 1) % (2**31 - 1))

    def choose_model(self) -> None:
        """Pick a model file with a dialog."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a model file", "", "Denoscope models (*.safetensors);;All files (*)"
        )
        if path:
            self.state.set_params(model_path=Path(path))

    # -- state -> widgets -----------------------------------------------------------------
    @staticmethod
    def _select(combo: QComboBox, data) -> None:
        index = combo.findData(data)
        if index >= 0 and index != combo.currentIndex():
            with QSignalBlocker(combo):
                combo.setCurrentIndex(index)

    def _follow_params(self, params: Params) -> None:
        if not self.noise_models:
            return
        self._select(self.modality, params.modality)
        self._select(self.device, params.device)
        self._select(self.noise, params.noise)
        self._select(self.baseline, params.baseline)
        model = self._noise_model(params.noise)
        with QSignalBlocker(self.level_slider), QSignalBlocker(self.level_spin):
            self.level_spin.setRange(model.min_level, model.max_level)
            self.level_spin.setSingleStep(max((model.max_level - model.min_level) / 100, 1e-4))
            self.level_spin.setValue(params.level)
            self.level_slider.setValue(
                level_to_slider(params.level, model.min_level, model.max_level, model.log_scale)
            )
        fixed = model.is_fixed or params.real_input
        self.level_slider.setEnabled(not fixed)
        self.level_spin.setEnabled(not fixed)
        self.noise.setEnabled(not params.real_input)
        self.seed.setEnabled(not params.real_input)
        self.new_noise.setEnabled(not params.real_input)
        self.diff_mode.setEnabled(not params.real_input)
        self._update_level_text()
        self._mark_fit()
        with QSignalBlocker(self.seed):
            self.seed.setValue(params.seed)
        with QSignalBlocker(self.strength):
            self.strength.setValue(float(params.strength))
        with QSignalBlocker(self.real_input):
            self.real_input.setChecked(params.real_input)
        self.model_label.setText(
            "shipped" if params.model_path is None else Path(params.model_path).name
        )

    def _show_noise_level(self, result) -> None:
        """Show the noise level the model was given (or that it takes none)."""
        level = getattr(result, "noise_level", None) if result is not None else None
        if result is None or getattr(result, "denoised01", None) is None:
            self.noise_level_shown.setText("")
        elif level is None:
            self.noise_level_shown.setText("blind model")
        else:
            source = "estimated" if self.state.params.real_input else "noise model"
            self.noise_level_shown.setText(f"σ {level:.4f} ({source})")

    def _mark_fit(self) -> None:
        """Mark the noise models that do not model the study's modality."""
        modality = self.study_modality()
        names = {"ct": "CT", "mri": "MRI", "xray": "X-ray"}
        for index in range(self.noise.count()):
            name = self.noise.itemData(index)
            model = self.noise_models[name]
            text = model.label
            if not fits(name, modality):
                text += f" — not for {names.get(modality, modality)}"
            if self.noise.itemText(index) != text:
                self.noise.setItemText(index, text)

    def level_description(self) -> str:
        """The level text shown under the slider."""
        return self.level_unit.text()

    def _update_level_text(self) -> None:
        params, loaded, result = self.state.params, self.state.study, self.state.result
        model = self._noise_model(params.noise)
        if params.real_input:
            self.level_unit.setText("real input: no synthetic noise")
            return
        unit = "HU" if self.study_modality() == "ct" else "a.u."
        measured = None
        if result is not None and result.params == params:
            measured = measured_noise_sd(result, self.study_modality())
        text = level_text(
            params.noise,
            params.level,
            normalization=None if loaded is None else loaded.normalization,
            unit=unit,
            measured=measured,
        )
        note = self.worse_note(result if measured is not None else None)
        self.level_unit.setText((text or model.unit) + (f"\n{note}" if note else ""))

    @staticmethod
    def worse_note(result) -> str | None:
        """The model's note when denoising lowers PSNR (too little noise for the model)."""
        metrics = {} if result is None else result.metrics
        noisy, denoised = metrics.get("noisy", {}), metrics.get("denoised", {})
        if noisy.get("psnr") is None or denoised.get("psnr") is None:
            return None
        loss = float(denoised["psnr"]) - float(noisy["psnr"])
        if loss >= 0:
            return None
        more = (
            "a lower dose"
            if result.params.noise in ("lowdose-ct", "xray", "poisson")
            else ("a higher level")
        )
        return (
            f"Denoising lowers PSNR here ({loss:+.1f} dB): this noise is weaker than the model "
            f"removes well; try {more}."
        )

    def _on_result(self, result) -> None:
        if result is None:
            return
        if self.noise_models:
            self._update_level_text()
        if result.device is None:
            self.device_used.setText("no model")
        else:
            note = f" ({result.device_note})" if result.device_note else ""
            self.device_used.setText(f"using {result.device}{note}")
        if result.model_name:
            self.model_label.setText(result.model_name)
