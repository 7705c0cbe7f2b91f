"""Review edits from the window: confirm, dismiss, relabel, note and tags, undo, bookmarks.

Every edit goes through the core's :class:`EditHistory`, which logs it (time, operator)
and makes it undoable without ever deleting anything.
"""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu

from dronewatch.analysis.types import TargetClass
from dronewatch.errors import DroneWatchError
from dronewatch.review.edits import EditHistory
from dronewatch.store.records import EditField, ReviewStatus

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def operator_name() -> str:
    """Who is reviewing: DRONEWATCH_OPERATOR, else the login name."""
    name = os.environ.get("DRONEWATCH_OPERATOR", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


class ReviewController(QObject):
    """Owns the edit history of one window and the review menus."""

    def __init__(self, window: MainWindow, operator: str | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.operator = operator or operator_name()
        self.history = EditHistory(window.store, self.operator) if window.store else None
        self.undo_action = QAction("&Undo", window)
        self.redo_action = QAction("&Redo", window)

    # -- edits ----------------------------------------------------------------------------

    def _edit(self, sighting_id: int, field: EditField, value: object) -> bool:
        if self.history is None:
            return False
        try:
            done = self.history.apply(sighting_id, field, value) is not None
        except DroneWatchError as exc:
            self.window.statusBar().showMessage(str(exc), 10_000)
            return False
        self._after_edit()
        return done

    def _after_edit(self) -> None:
        self.update_actions()
        self.window.refresh_sightings()

    def confirm(self, sighting_id: int) -> bool:
        return self._edit(sighting_id, EditField.STATUS, ReviewStatus.CONFIRMED)

    def dismiss(self, sighting_id: int) -> bool:
        """A false alarm: hidden by the default filters, never erased."""
        return self._edit(sighting_id, EditField.STATUS, ReviewStatus.DISMISSED)

    def restore(self, sighting_id: int) -> bool:
        return self._edit(sighting_id, EditField.STATUS, ReviewStatus.UNREVIEWED)

    def relabel(self, sighting_id: int, target_class: TargetClass) -> bool:
        return self._edit(sighting_id, EditField.CLASS, target_class)

    def set_note(self, sighting_id: int, note: str) -> bool:
        return self._edit(sighting_id, EditField.NOTE, note)

    def set_tags(self, sighting_id: int, tags: list[str]) -> bool:
        return self._edit(sighting_id, EditField.TAGS, tags)

    def edit_note_dialog(self, sighting_id: int) -> None:
        row = self.window.row_by_id(sighting_id)
        if row is None:
            return
        note, ok = QInputDialog.getMultiLineText(
            self.window, "Note", f"Note on {row.feed_name} track {row.track_id}:", row.note
        )
        if ok:
            self.set_note(sighting_id, note)
        tags, ok = QInputDialog.getText(
            self.window, "Tags", "Tags (comma separated):", text=", ".join(row.tags)
        )
        if ok:
            self.set_tags(sighting_id, [t.strip() for t in tags.split(",") if t.strip()])

    def undo(self) -> None:
        self._step(undo=True)

    def redo(self) -> None:
        self._step(undo=False)

    def _step(self, undo: bool) -> None:
        if self.history is None:
            return
        try:
            self.history.undo() if undo else self.history.redo()
        except DroneWatchError as exc:
            self.window.warn("Cannot undo" if undo else "Cannot redo", str(exc))
        self._after_edit()

    def update_actions(self) -> None:
        history = self.history
        can_undo = history is not None and history.can_undo
        can_redo = history is not None and history.can_redo
        self.undo_action.setEnabled(can_undo)
        self.redo_action.setEnabled(can_redo)
        undo_label = history.undo_label() if history and can_undo else None
        redo_label = history.redo_label() if history and can_redo else None
        self.undo_action.setText(f"&Undo {undo_label}" if undo_label else "&Undo")
        self.redo_action.setText(f"&Redo {redo_label}" if redo_label else "&Redo")

    # -- menus ------------------------------------------------------------------------------

    def add_sighting_actions(self, menu: QMenu, sighting_id: int) -> None:
        """Confirm / dismiss / class / note entries for one sighting."""
        row = self.window.row_by_id(sighting_id)
        if row is None:
            return
        menu.addSection(f"{row.feed_name} · track {row.track_id} · {row.target_class.value}")
        menu.addAction("Confirm", lambda: self.confirm(sighting_id))
        if row.dismissed:
            menu.addAction("Restore (not a false alarm)", lambda: self.restore(sighting_id))
        else:
            menu.addAction("Dismiss as false alarm", lambda: self.dismiss(sighting_id))
        classes = menu.addMenu("Class")
        for target_class in TargetClass:
            action = classes.addAction(
                target_class.value, lambda c=target_class: self.relabel(sighting_id, c)
            )
            action.setCheckable(True)
            action.setChecked(target_class is row.target_class)
        menu.addAction("Note and tags…", lambda: self.edit_note_dialog(sighting_id))
        menu.addAction(
            "Export a clip of this sighting…",
            lambda: self.window.export_sighting_clip(sighting_id),
        )

    def sighting_menu(self, sighting_id: int, pos: QPoint) -> None:
        menu = QMenu(self.window)
        self.add_sighting_actions(menu, sighting_id)
        menu.popup(pos)
