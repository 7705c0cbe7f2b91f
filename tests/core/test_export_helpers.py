"""Databases for the export, import and render tests (helpers; the one test checks them).

``review_db`` is built by hand: two clips, every status, a hostile note. ``analysed_clip``
is real: a 3 s simulated clip analysed by ``dronewatch analyze``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dronewatch.analysis.types import TargetClass
from dronewatch.cli import main
from dronewatch.store import SightingsReader, Store
from tests.core.test_store import clip_info, write_sighting

HOSTILE_NOTE = '<script>alert("x")</script> & "quotes"'


def build_review_db(path: Path) -> Path:
    """Clip a: sightings 1 (vehicle, confirmed, hostile note, tags), 2 (person,
    dismissed), 3 (vehicle, unreviewed); clip b: 4 (person, unreviewed)."""
    with Store(path) as store:
        a = store.begin_clip(clip_info("a"))
        b = store.begin_clip(clip_info("b"))
        write_sighting(store, a, 0, 0, 9, TargetClass.VEHICLE)
        write_sighting(store, a, 1, 20, 40, TargetClass.PERSON)
        write_sighting(store, a, 2, 50, 60, TargetClass.VEHICLE)
        write_sighting(store, b, 0, 5, 30, TargetClass.PERSON)
        store.set_status(1, "confirmed", "ann")
        store.set_note(1, HOSTILE_NOTE, "ann")
        store.set_tags(1, ["convoy", 'a,b "c"', "Zürich"], "ann")
        store.set_status(2, "dismissed", "ann")
    return path


@dataclass(frozen=True)
class AnalysedClip:
    video: Path
    ground_truth: Path
    db: Path


def make_analysed_clip(folder: Path, seconds: int = 3) -> AnalysedClip:
    folder.mkdir(parents=True, exist_ok=True)
    assert (
        main(["simulate", "--preset", "day-pan", "--seconds", str(seconds), "--out", str(folder)])
        == 0
    )
    video = folder / "day-pan.mp4"
    db = folder / "analysed.db"
    assert main(["analyze", str(video), "--db", str(db), "--workers", "1"]) == 0
    return AnalysedClip(video, folder / "day-pan.gt.txt", db)


def test_review_db_holds_what_the_other_tests_expect(tmp_path: Path) -> None:
    db = build_review_db(tmp_path / "r.db")
    with SightingsReader(db) as r:
        assert [(s.id, s.status.value) for s in r.sightings()] == [
            (1, "confirmed"),
            (2, "dismissed"),
            (3, "unreviewed"),
            (4, "unreviewed"),
        ]
        assert r.sighting(1).note == HOSTILE_NOTE  # type: ignore[union-attr]
