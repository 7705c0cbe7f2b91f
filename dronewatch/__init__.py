"""DroneWatch headless core: sources, simulation, analysis, store, exports, CLI.

Nothing in this package imports Qt, so all of it runs and tests without a screen.
"""

__version__ = "0.1.0"
