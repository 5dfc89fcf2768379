"""The status-bar job indicator: what runs now ("denoising tile 12/48", "LPIPS"), and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QToolButton, QWidget

from denoscope.app.state import ViewerState

#: What each background task is doing, as shown on the progress bar.
TASK_LABELS: dict[str, str] = {
    "load": "loading",
    "denoise": "denoising tile",
    "lpips": "LPIPS",
    "series": "slice metrics",
    "export": "exporting slice",
    "metrics": "metrics",
}

#: Shown once a task's counted part is done and it finishes its remaining steps.
TASK_AFTER: dict[str, str] = {
    "denoise": "metrics and display",
    "load": "preparing",
}


def progress_text(task: str, done: int, total: int) -> str:
    """The progress-bar text of ``task`` after ``done`` of ``total`` steps.

    Examples
    --------
    >>> progress_text("denoise", 12, 48)
    'denoising tile 12/48'
    >>> progress_text("denoise", 48, 48)
    'metrics and display'
    """
    label = TASK_LABELS.get(task, task)
    if total <= 0:
        return label
    if done >= total and task in TASK_AFTER:
        return TASK_AFTER[task]
    return f"{label} {done}/{total}"


class JobStatus(QWidget):
    """A progress bar that says what it is doing, and a Cancel button for the current jobs.

    Parameters
    ----------
    state : ViewerState
        Its ``busyChanged`` and ``progressChanged`` drive the bar.
    controller : Controller
        Cancel calls its :meth:`~denoscope.app.controller.Controller.cancel_all`.
    """

    def __init__(self, state: ViewerState, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.controller = controller
        self.bar = QProgressBar()
        self.bar.setMinimumWidth(220)
        self.bar.setMaximumWidth(280)
        self.bar.setTextVisible(True)
        self.cancel = QToolButton()
        self.cancel.setText("Cancel")
        self.cancel.setToolTip("Stop the running work (Esc)")
        self.cancel.clicked.connect(self.cancel_jobs)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self._task = ""
        self.hide()
        state.busyChanged.connect(self._on_busy)
        state.progressChanged.connect(self._on_progress)

    def text(self) -> str:
        """The text shown on the bar."""
        return self.bar.format()

    def _show_busy(self, task: str) -> None:
        self._task = task
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat(progress_text(task, 0, 0) + "…")
        self.show()

    def _on_busy(self, task: str, busy: bool) -> None:
        running = [name for name, on in self.state.busy.items() if on]
        if not running:
            self._task = ""
            self.hide()
        elif busy:
            self._show_busy(task)
        elif task == self._task:
            self._show_busy(running[-1])

    def _on_progress(self, task: str, done: int, total: int) -> None:
        if total <= 0 or not self.state.busy.get(task):
            return
        self._task = task
        self.bar.setRange(0, total)
        self.bar.setValue(min(done, total))
        self.bar.setFormat(progress_text(task, done, total))
        self.show()

    def cancel_jobs(self) -> None:
        """Stop every running job; the status bar says what was stopped."""
        stopped = self.controller.cancel_all()
        if stopped:
            names = ", ".join(TASK_LABELS.get(task, task).split()[0] for task in stopped)
            self.state.report("info", f"Cancelled: {names}.")
