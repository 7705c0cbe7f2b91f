"""The export dialog: format, file, feed, status and time range; runs in the background."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from dronewatch.exports import FORMATS, ExportFilter, StatusFilter

FORMAT_LABELS = {
    "csv": "CSV table (.csv)",
    "json": "JSON log (.json)",
    "html": "HTML report (.html)",
    "pdf": "PDF report (.pdf)",
    "mot": "MOTChallenge tracks (.txt, a folder for several feeds)",
    "cvat": "CVAT for video 1.1 (.xml, a folder for several feeds)",
    "geojson": "GeoJSON map layers (needs ground positions: dronewatch geo)",
    "kml": "KML for Google Earth (needs ground positions)",
    "cot": "Cursor-on-Target events for TAK (needs ground positions)",
}
SUFFIX = {
    "csv": ".csv",
    "json": ".json",
    "html": ".html",
    "pdf": ".pdf",
    "mot": ".txt",
    "cvat": ".xml",
    "geojson": ".geojson",
    "kml": ".kml",
    "cot": ".cot.xml",
}


class ExportDialog(QDialog):
    """Collects what to export; :meth:`choice` gives (format, path, filter)."""

    def __init__(self, feeds: list[str], duration: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export sightings")
        self.format_box = QComboBox()
        for fmt in FORMATS:
            self.format_box.addItem(FORMAT_LABELS.get(fmt, fmt), fmt)
        self.format_box.setCurrentIndex(FORMATS.index("html"))
        self.path_edit = QLineEdit(str(Path.home() / "sightings.html"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.feed_box = QComboBox()
        self.feed_box.addItem("All open feeds' clips", None)
        for name in feeds:
            self.feed_box.addItem(name, name)
        self.status_box = QComboBox()
        self.status_box.addItem("All but dismissed", StatusFilter.NOT_DISMISSED.value)
        self.status_box.addItem("Confirmed only", StatusFilter.CONFIRMED.value)
        self.status_box.addItem("All, dismissed too", StatusFilter.ALL.value)
        self.from_box = QDoubleSpinBox(suffix=" s", maximum=1e7)
        self.to_box = QDoubleSpinBox(suffix=" s", maximum=1e7, value=duration)
        self.format_box.currentIndexChanged.connect(self._fix_suffix)

        form = QFormLayout(self)
        form.addRow("Format", self.format_box)
        form.addRow("Save to", path_row)
        form.addRow("Feed", self.feed_box)
        form.addRow("Sightings", self.status_box)
        form.addRow("From", self.from_box)
        form.addRow("To (0 = end)", self.to_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _fix_suffix(self) -> None:
        fmt = self.format_box.currentData()
        path = Path(self.path_edit.text())
        self.path_edit.setText(str(path.with_suffix(SUFFIX.get(fmt, path.suffix))))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text())
        if path:
            self.path_edit.setText(path)

    def choice(self) -> tuple[str, Path, ExportFilter]:
        end = self.to_box.value()
        return (
            self.format_box.currentData(),
            Path(self.path_edit.text()).expanduser(),
            ExportFilter(
                feed=self.feed_box.currentData(),
                from_s=self.from_box.value() or None,
                to_s=end if end > 0 else None,
                status=StatusFilter(self.status_box.currentData()),
            ),
        )
