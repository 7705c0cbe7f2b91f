"""Reviewing sightings: undoable edits, log import and the reference (ground truth) layer.

The data lives in the store (schema v3); this package holds the logic around it that the
GUI and the command line share. Entry points:

* :class:`dronewatch.review.edits.EditHistory` - status, class, note and tag edits with
  undo/redo (each undo is a new edit row), and operator-drawn sightings.
* :func:`dronewatch.review.log_import.import_log` - our CSV/JSON logs, all or nothing.
* :func:`dronewatch.review.reference.import_reference` - MOTChallenge ground truth as a
  clip's reference layer; :func:`dronewatch.review.reference_layer.load_reference_index`
  gives its boxes per frame for drawing.

Bookmarks are plain store calls: ``Store.add_bookmark`` and ``SightingsReader.bookmarks``.
"""
