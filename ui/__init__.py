"""DroneWatch's PySide6 front end: it drives the core and draws what the core produces."""
