"""Cine playback of a series: steps through the slices at a chosen frame rate, looping."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from denoscope.app.state import ViewerState

DEFAULT_FPS = 5.0
FPS_RANGE = (0.5, 30.0)


class CinePlayer(QObject):
    """Plays the slices of a :class:`ViewerState`'s series.

    Parameters
    ----------
    state : ViewerState
        The state whose slice is stepped.

    Signals
    -------
    playingChanged(bool)
    """

    playingChanged = Signal(bool)

    def __init__(self, state: ViewerState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.fps = DEFAULT_FPS
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.step)
        self.set_fps(DEFAULT_FPS)
        state.studyChanged.connect(lambda _s: self.stop())

    def set_fps(self, fps: float) -> None:
        """Frames per second (clamped to :data:`FPS_RANGE`)."""
        self.fps = min(max(float(fps), FPS_RANGE[0]), FPS_RANGE[1])
        self.timer.setInterval(round(1000.0 / self.fps))

    def is_playing(self) -> bool:
        """Whether the cine runs."""
        return self.timer.isActive()

    def play(self) -> bool:
        """Start (only for a series of more than one slice); returns whether it runs."""
        if self.state.n_slices() > 1 and not self.timer.isActive():
            self.timer.start()
            self.playingChanged.emit(True)
        return self.timer.isActive()

    def stop(self) -> None:
        """Stop playing."""
        if self.timer.isActive():
            self.timer.stop()
            self.playingChanged.emit(False)

    def toggle(self) -> bool:
        """Play or stop; returns whether it runs now."""
        if self.timer.isActive():
            self.stop()
            return False
        return self.play()

    def step(self) -> None:
        """Show the next slice, back to the first after the last."""
        n = self.state.n_slices()
        if n <= 1:
            self.stop()
            return
        self.state.set_slice((self.state.slice_index + 1) % n)
