"""What scoring returns: per target, per mark, per session (and per feed), per third."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from dronewatch.training.marks import Mark

Outcome = Literal["hit", "duplicate", "false_alarm", "uncounted"]


@dataclass(frozen=True, slots=True)
class TargetResult:
    """One counted target: when it appeared and when (if ever) it was first marked."""

    id: int
    first_seen_s: float
    visible_s: float
    marked_s: float | None
    reaction_s: float | None
    feed: str | None = None

    @property
    def hit(self) -> bool:
        return self.marked_s is not None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "first_seen_s": _round(self.first_seen_s),
            "marked_s": _round(self.marked_s),
            "reaction_s": _round(self.reaction_s),
        }
        if self.feed is not None:
            out["feed"] = self.feed
        return out


@dataclass(frozen=True, slots=True)
class MarkResult:
    """What one mark counted as; ``target_id`` is None for a false alarm."""

    mark: Mark
    outcome: Outcome
    target_id: int | None


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """A scored session. ``feeds`` holds the per-feed results when scored per feed
    (the totals above then add them up); it is empty for a single reference."""

    hits: int
    misses: int
    false_alarms: int
    duplicates: int
    uncounted: int
    mean_reaction_s: float | None
    median_reaction_s: float | None
    targets: tuple[TargetResult, ...]
    marks: tuple[MarkResult, ...]
    duration_s: float
    feeds: tuple[tuple[str, ScoreResult], ...] = ()

    @classmethod
    def build(
        cls,
        targets: Sequence[TargetResult],
        marks: Sequence[MarkResult],
        duration_s: float,
        feeds: tuple[tuple[str, ScoreResult], ...] = (),
    ) -> ScoreResult:
        """Count the outcomes and summarise the reaction times."""
        reactions = [t.reaction_s for t in targets if t.reaction_s is not None]
        outcomes = [m.outcome for m in marks]
        return cls(
            hits=sum(t.hit for t in targets),
            misses=sum(not t.hit for t in targets),
            false_alarms=outcomes.count("false_alarm"),
            duplicates=outcomes.count("duplicate"),
            uncounted=outcomes.count("uncounted"),
            mean_reaction_s=statistics.fmean(reactions) if reactions else None,
            median_reaction_s=statistics.median(reactions) if reactions else None,
            targets=tuple(targets),
            marks=tuple(marks),
            duration_s=duration_s,
            feeds=feeds,
        )

    @property
    def hit_rate(self) -> float | None:
        """Hits / counted targets (None when nothing was there to see)."""
        total = self.hits + self.misses
        return self.hits / total if total else None

    def feed(self, name: str) -> ScoreResult:
        """The result of one feed (KeyError when it was not scored per feed)."""
        return dict(self.feeds)[name]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the counts, reaction times (null when no hits) and targets."""
        out: dict[str, object] = {
            "hits": self.hits,
            "misses": self.misses,
            "false_alarms": self.false_alarms,
            "duplicates": self.duplicates,
            "uncounted": self.uncounted,
            "hit_rate": _round(self.hit_rate),
            "mean_reaction_s": _round(self.mean_reaction_s),
            "median_reaction_s": _round(self.median_reaction_s),
            "targets": [t.to_dict() for t in self.targets],
        }
        if self.feeds:
            out["feeds"] = {name: r.to_dict() for name, r in self.feeds}
        return out


@dataclass(frozen=True, slots=True)
class ThirdResult:
    """Vigilance over one third of a session: targets appearing in ``[start_s, end_s)``
    (the last third also takes its end), and false alarms made in it."""

    index: int
    start_s: float
    end_s: float
    targets: int
    hits: int
    false_alarms: int
    hit_rate: float | None
    mean_reaction_s: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "third": self.index + 1,
            "start_s": _round(self.start_s),
            "end_s": _round(self.end_s),
            "targets": self.targets,
            "hits": self.hits,
            "false_alarms": self.false_alarms,
            "hit_rate": _round(self.hit_rate),
            "mean_reaction_s": _round(self.mean_reaction_s),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
