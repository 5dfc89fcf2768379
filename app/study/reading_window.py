"""The blinded reading window: one reader answers a study's trials, keyboard only.

Keys (also listed in the window):

- Likert: ``1``-``5`` rate the highlighted criterion and move to the next;
  ``↑``/``↓`` choose a criterion; ``Enter`` saves the case once every
  criterion is rated.
- Pairwise: ``←``/``→`` choose the side you would rather read; ``1``-``3``
  say how sure you are; ``Enter`` saves.
- ``Backspace`` (or ``Ctrl+Z``) undoes the last saved answer and shows that
  case again; ``Space`` pauses and resumes (images hidden, clock stopped);
  ``+``/``-`` zoom in and out; ``R`` resets zoom and window.

Every saved answer is committed to the study file before the next case is
shown. Nothing in the window names the method or shows a metric: panes are
titled by position, the title is fixed, there are no tooltips naming images,
and the study file's name is not shown (it may name the methods).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QElapsedTimer, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from denoscope.app.study.panes import ReadingPanes
from denoscope.core.errors import DenoscopeError
from denoscope.core.study.design import CONFIDENCE_LEVELS, PAIRWISE_QUESTION
from denoscope.core.study.session import ReaderSession, Trial

#: The window title (fixed: it must not name the study file or a method).
TITLE = "Denoscope — reader study"

_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}


class ReadingWindow(QWidget):
    """A reader's window on a :class:`~denoscope.core.study.session.ReaderSession`.

    Parameters
    ----------
    session : ReaderSession
        The open session; the window closes it when it closes.

    Signals
    -------
    answered(int)
        A case was saved (its 0-based position), after the commit.
    finished()
        Every case of the reader is answered.
    """

    answered = Signal(int)
    finished = Signal()

    def __init__(self, session: ReaderSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(TITLE)
        self.setObjectName("readingWindow")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.resize(1500, 950)

        self.progress_label = QLabel("")
        self.progress_label.setObjectName("studyProgress")
        self.progress_label.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.reader_label = QLabel(f"Reader: {html.escape(session.reader)}")
        self.window_label = QLabel("")
        self.message = QLabel("")
        self.message.setObjectName("studyMessage")
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.progress_label)
        top.addSpacing(24)
        top.addWidget(self.reader_label)
        top.addStretch(1)
        top.addWidget(self.window_label)

        self.panes = ReadingPanes()
        self.panes.windowChanged.connect(self._show_window)
        self.answer_label = QLabel("")
        self.answer_label.setObjectName("studyAnswer")
        self.answer_label.setTextFormat(Qt.TextFormat.RichText)
        self.answer_label.setStyleSheet("font-size: 12pt;")
        self.keys_label = QLabel(self._keys_text())
        self.keys_label.setObjectName("studyKeys")
        self.keys_label.setStyleSheet("color: #8a94a6;")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.panes, 1)
        layout.addWidget(self.answer_label)
        layout.addWidget(self.keys_label)

        self.trial: Trial | None = None
        self.position = 0
        self.paused = False
        self.done = False
        self.ratings: dict[str, int] = {}
        self.criterion = 0
        self.side: str | None = None
        self.confidence: int | None = None
        self._clock = QElapsedTimer()
        self._paused_ns = 0
        self._pause_clock = QElapsedTimer()
        self._suggested: tuple[float, float] | None = None
        ok, position = self._try(session.position)
        self._go_to(position if ok else 0)

    # -- text -------------------------------------------------------------------------------
    def _keys_text(self) -> str:
        common = (
            "Backspace undo last answer · Space pause/resume · +/− zoom · R reset zoom and window"
        )
        if self.session.design == "likert":
            return f"Keys: 1–5 rate · ↑/↓ criterion · Enter save and next · {common}"
        return (
            "Keys: ←/→ choose side · 1 unsure, 2 fairly sure, 3 sure · Enter save and next · "
            + common
        )

    def _show_window(self, center: float, width: float) -> None:
        unit = self.trial.unit if self.trial is not None else ""
        self.window_label.setText(f"Window W {width:.0f} / L {center:.0f} {unit}".rstrip())

    def _render_answer(self) -> None:
        if self.done or self.trial is None:
            self.answer_label.setText("")
            return
        if self.paused:
            self.answer_label.setText("<b>Paused</b> — press Space to resume.")
            return
        rows = []
        if self.session.design == "likert":
            for index, (key, question) in enumerate(self.session.criteria):
                value = self.ratings.get(key)
                boxes = " ".join(
                    f"<b style='color:#88c0d0'>[{n}]</b>" if value == n else f"&nbsp;{n}&nbsp;"
                    for n in range(1, 6)
                )
                marker = "▶" if index == self.criterion else "&nbsp;&nbsp;"
                rows.append(f"{marker} {html.escape(question)}: {boxes}")
        else:
            side = {"left": "Left", "right": "Right"}.get(self.side or "", "—")
            levels = dict(CONFIDENCE_LEVELS)
            sure = levels.get(self.confidence or 0, "—")
            rows.append(f"<b>{html.escape(PAIRWISE_QUESTION)}</b>")
            rows.append(f"Your choice: <b>{side}</b> · confidence: <b>{html.escape(sure)}</b>")
        self.answer_label.setText("<br>".join(rows))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #bf616a; font-weight: bold;" if error else "")
        self.message.setText(text)

    # -- flow -------------------------------------------------------------------------------
    def _try(self, call, *args, **kwargs) -> tuple[bool, object]:
        """Run a session call: ``(True, value)``, or ``(False, None)`` with the error shown."""
        try:
            return True, call(*args, **kwargs)
        except DenoscopeError as error:
            self._say(str(error), error=True)
            return False, None

    def _go_to(self, position: int, *, prefill: dict | None = None) -> None:
        self.position = position
        self.ratings, self.criterion, self.side, self.confidence = {}, 0, None, None
        if position >= self.session.total:
            self.done, self.trial = True, None
            self.panes.clear()
            self.progress_label.setText(f"All {self.session.total} cases answered")
            self._say("Thank you. Every answer is saved; you can close this window.")
            self._render_answer()
            self.finished.emit()
            return
        self.done = False
        ok, trial = self._try(self.session.trial, position)
        if not ok:
            self.trial = None
            self.panes.clear()
            self._render_answer()
            return
        self.trial = trial
        if prefill:
            self.ratings = {k: int(v) for k, v in (prefill.get("ratings") or {}).items()}
            self.side, self.confidence = prefill.get("side"), prefill.get("confidence")
            self.criterion = len(self.session.criteria) - 1 if self.ratings else 0
        self.progress_label.setText(f"case {position + 1} of {trial.total}")
        spacing = trial.pixel_spacing
        aspect = spacing[1] / spacing[0] if spacing and spacing[0] > 0 else 1.0
        # The reader's window/level carries over while the suggested window stays the same
        # (cases of one kind); a case with another suggested window starts from its own.
        keep = bool(self.panes.items) and trial.window == self._suggested
        self._suggested = trial.window
        self.panes.show_images(
            {p.key: p.image for p in trial.panes},
            window=None if keep else trial.window,
            aspect=aspect,
        )
        self._show_window(*self.panes.window)
        self.panes.mark(self.side)
        self._paused_ns = 0
        self._clock.start()
        self._render_answer()

    def seconds_on_case(self) -> float:
        """Reading time of the case on screen so far, pauses excluded."""
        if not self._clock.isValid():
            return 0.0
        paused = self._paused_ns + (self._pause_clock.nsecsElapsed() if self.paused else 0)
        return max(0.0, (self._clock.nsecsElapsed() - paused) / 1e9)

    def save(self) -> bool:
        """Commit the answer on screen (Enter); returns True when it was saved."""
        if self.trial is None or self.paused or self.done:
            return False
        if self.session.design == "likert":
            missing = [q for k, q in self.session.criteria if k not in self.ratings]
            if missing:
                self._say(f"Rate every criterion first (missing: {missing[0]}).", error=True)
                return False
            ok, _ = self._try(
                self.session.answer,
                self.position,
                seconds=self.seconds_on_case(),
                ratings=dict(self.ratings),
            )
        else:
            if self.side is None or self.confidence is None:
                self._say("Choose a side (←/→) and a confidence (1–3) first.", error=True)
                return False
            ok, _ = self._try(
                self.session.answer,
                self.position,
                seconds=self.seconds_on_case(),
                side=self.side,
                confidence=self.confidence,
            )
        if not ok:
            return False
        saved = self.position
        self._say(f"Saved case {saved + 1}.")
        self.answered.emit(saved)
        ok, position = self._try(self.session.position)
        self._go_to(position if ok else saved + 1)
        return True

    def undo(self) -> None:
        """Retract the last saved answer and show that case again, pre-filled."""
        if self.paused:
            return
        ok, position = self._try(self.session.undo)
        if not ok:
            return
        if position is None:
            self._say("Nothing to undo.")
            return
        _ok, previous = self._try(self.session.previous_answer, position)
        self._say(f"Undid the answer to case {position + 1}; answer it again.")
        self._go_to(position, prefill=previous)

    def toggle_pause(self) -> None:
        """Pause (hide the images, stop the clock) or resume."""
        if self.done or self.trial is None:
            return
        if not self.paused:
            self.paused = True
            self._pause_clock.start()
            self.panes.clear()
            self._say("Paused. Press Space to resume.")
        else:
            self.paused = False
            self._paused_ns += self._pause_clock.nsecsElapsed()
            self.panes.show_images(
                {p.key: p.image for p in self.trial.panes}, window=self.panes.window
            )
            self.panes.mark(self.side)
            self._say("")
        self._render_answer()

    # -- keys -------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt naming
        key = event.key()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_Space:
            self.toggle_pause()
        elif key == Qt.Key.Key_Backspace or (ctrl and key == Qt.Key.Key_Z):
            self.undo()
        elif self.paused or self.done or self.trial is None:
            self._say("Paused. Press Space to resume." if self.paused else self.message.text())
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
        elif key == Qt.Key.Key_R:
            self.panes.reset_zoom()
            self.panes.set_window(*self.trial.window)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus):
            self.panes.zoom(1.25 if key != Qt.Key.Key_Minus else 0.8)
        elif self.session.design == "likert":
            self._likert_key(key)
        else:
            self._pairwise_key(key)
        event.accept()

    def _likert_key(self, key: int) -> None:
        criteria = self.session.criteria
        if key in _DIGITS and 1 <= _DIGITS[key] <= 5:
            self.ratings[criteria[self.criterion][0]] = _DIGITS[key]
            unrated = [i for i, (k, _q) in enumerate(criteria) if k not in self.ratings]
            later = [i for i in unrated if i > self.criterion]
            self.criterion = (later or unrated or [self.criterion])[0]
            self._say("")
        elif key == Qt.Key.Key_Up:
            self.criterion = max(0, self.criterion - 1)
        elif key == Qt.Key.Key_Down:
            self.criterion = min(len(criteria) - 1, self.criterion + 1)
        self._render_answer()

    def _pairwise_key(self, key: int) -> None:
        if key == Qt.Key.Key_Left:
            self.side = "left"
        elif key == Qt.Key.Key_Right:
            self.side = "right"
        elif key in _DIGITS and _DIGITS[key] in dict(CONFIDENCE_LEVELS):
            self.confidence = _DIGITS[key]
        self.panes.mark(self.side)
        self._say("")
        self._render_answer()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt naming
        self.session.close()
        super().closeEvent(event)
