"""Undo and redo of review edits, without ever rewriting the log.

An undo is not a deletion: it is a *new* edit that puts the old value back, so the
``edits`` table keeps every step an operator took, including the ones they took back.
Each undo and redo is conditional on the value still being what this history set, so
an operator never silently overwrites a colleague's later change.

Example::

    history = EditHistory(store, operator="lt.harris")
    history.apply(sighting_id, EditField.STATUS, "dismissed")
    history.undo()   # status back to what it was; two rows in the edit log
    history.redo()   # dismissed again; three rows
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol

from dronewatch.store.records import EditField, EditRecord, ReviewStatus
from dronewatch.store.review_ops import NewSighting, decode_value, encode_value


class ReviewWriter(Protocol):
    """What the history needs of :class:`~dronewatch.store.Store`."""

    def edit_sighting(
        self,
        sighting_id: int,
        field: EditField,
        value: object,
        operator: str,
        expected: str | None = None,
        timeout: float = 10.0,
    ) -> EditRecord | None: ...

    def add_sighting(self, sighting: NewSighting, operator: str, timeout: float = 10.0) -> int: ...


@dataclass(frozen=True, slots=True)
class Step:
    """One undoable change: ``field`` of a sighting went from ``before`` to ``after``
    (stored text)."""

    sighting_id: int
    field: EditField
    before: str
    after: str
    label: str  # for an "Undo dismiss #12" menu entry


class EditHistory:
    """Undo/redo stacks of one operator's review steps (most recent ``limit`` kept)."""

    def __init__(self, store: ReviewWriter, operator: str, limit: int = 500) -> None:
        self.store = store
        self.operator = operator
        self._undo: deque[Step] = deque(maxlen=limit)
        self._redo: list[Step] = []

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_label(self) -> str | None:
        return self._undo[-1].label if self._undo else None

    def redo_label(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    def apply(self, sighting_id: int, field: EditField, value: object) -> EditRecord | None:
        """Make an edit and remember it; None (and nothing remembered) if a no-op."""
        field = EditField(field)
        edit = self.store.edit_sighting(sighting_id, field, value, self.operator)
        if edit is None:
            return None
        assert edit.old_value is not None and edit.new_value is not None
        label = f"{field.value} of sighting {sighting_id}"
        self._undo.append(Step(sighting_id, field, edit.old_value, edit.new_value, label))
        self._redo.clear()
        return edit

    def add_sighting(self, sighting: NewSighting) -> int:
        """Add an operator sighting; undoing it dismisses it (nothing is deleted)."""
        sighting_id = self.store.add_sighting(sighting, self.operator)
        after = encode_value(EditField.STATUS, sighting.status)
        before = str(ReviewStatus.DISMISSED)
        if after != before:
            self._undo.append(
                Step(sighting_id, EditField.STATUS, before, after, f"add sighting {sighting_id}")
            )
            self._redo.clear()
        return sighting_id

    def undo(self) -> EditRecord | None:
        """Put back the value before the last step; raises ReviewError (and keeps the
        step) when someone changed the value since."""
        if not self._undo:
            return None
        step = self._undo[-1]
        edit = self._write(step, step.before, expected=step.after)
        self._redo.append(self._undo.pop())
        return edit

    def redo(self) -> EditRecord | None:
        if not self._redo:
            return None
        step = self._redo[-1]
        edit = self._write(step, step.after, expected=step.before)
        self._undo.append(self._redo.pop())
        return edit

    def _write(self, step: Step, text: str, expected: str) -> EditRecord | None:
        return self.store.edit_sighting(
            step.sighting_id,
            step.field,
            decode_value(step.field, text),
            self.operator,
            expected=expected,
        )
