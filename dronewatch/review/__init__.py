"""Reviewing sightings: undoable edits, log import and the reference (ground truth) layer.

The data lives in the store (schema v3); this package holds the logic around it that the
GUI and the command line share.
"""
