"""Start a training session: trainee, and how much the detector helps."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from dronewatch.training.session import AidLevel

AID_LABELS = {
    AidLevel.HIDDEN: "No help: machine overlays hidden",
    AidLevel.DELAYED: "Delayed: a track shows after it has been tracked N seconds",
    AidLevel.SHOWN: "Full help: overlays shown",
}


class StartTrainingDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Start a training session")
        self.trainee = QLineEdit(placeholderText="trainee name")
        self.aid = QComboBox()
        for level, label in AID_LABELS.items():
            self.aid.addItem(label, level.value)
        self.delay = QDoubleSpinBox(suffix=" s", minimum=0.5, maximum=30.0, value=2.0)
        form = QFormLayout(self)
        form.addRow("Trainee", self.trainee)
        form.addRow("Detector aid", self.aid)
        form.addRow("Delay", self.delay)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self) -> tuple[str, AidLevel, float]:
        return self.trainee.text(), AidLevel(self.aid.currentData()), self.delay.value()
