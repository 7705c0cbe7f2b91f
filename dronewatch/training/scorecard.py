"""The scorecard of a session as CSV rows and as one self-contained HTML page."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from pathlib import Path

from dronewatch.training.results import ScoreResult
from dronewatch.training.session import TrainingSession
from dronewatch.training.session_score import SessionScore


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def headline(score: ScoreResult) -> list[tuple[str, str]]:
    """The figures an instructor reads first, in order."""
    return [
        ("Hit rate", _pct(score.hit_rate)),
        ("Hits", str(score.hits)),
        ("Misses", str(score.misses)),
        ("False alarms", str(score.false_alarms)),
        ("Duplicates", str(score.duplicates)),
        ("Mean reaction", _secs(score.mean_reaction_s)),
        ("Median reaction", _secs(score.median_reaction_s)),
    ]


def scorecard_csv(session: TrainingSession, score: SessionScore) -> str:
    """One row per target: feed, id, first seen, marked, reaction (empty when missed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["trainee", "feed", "target", "first_seen_s", "marked_s", "reaction_s"])
    for target in score.trainee.targets:
        writer.writerow(
            [
                session.trainee,
                Path(target.feed or "").name,
                target.id,
                f"{target.first_seen_s:.3f}",
                "" if target.marked_s is None else f"{target.marked_s:.3f}",
                "" if target.reaction_s is None else f"{target.reaction_s:.3f}",
            ]
        )
    return out.getvalue()


def scorecard_html(session: TrainingSession, score: SessionScore, plot_png_b64: str = "") -> str:
    """A page an instructor understands at a glance; every user text escaped."""
    e = html.escape
    when = dt.datetime.fromtimestamp(session.started).strftime("%Y-%m-%d %H:%M")
    aid = session.aid.value + (f" ({session.aid_delay_s:g} s)" if session.aid == "delayed" else "")
    cards = "".join(
        f"<td class=card><div class=v>{e(v)}</div><div class=k>{e(k)}</div></td>"
        for k, v in headline(score.trainee)
    )
    machine = score.detector
    compare = "".join(
        f"<tr><td>{e(k)}</td><td>{e(v)}</td><td>{e(mv)}</td></tr>"
        for (k, v), (_mk, mv) in zip(
            headline(score.trainee),
            headline(machine) if machine else [(k, "—") for k, _ in headline(score.trainee)],
            strict=True,
        )
    )
    feeds = "".join(
        f"<tr><td>{e(Path(name).name)}</td><td>{r.hits + r.misses}</td><td>{r.hits}</td>"
        f"<td>{r.misses}</td><td>{r.false_alarms}</td><td>{_pct(r.hit_rate)}</td>"
        f"<td>{_secs(r.mean_reaction_s)}</td></tr>"
        for name, r in score.trainee.feeds
    )
    thirds = "".join(
        f"<tr><td>{t.start_s:.0f}–{t.end_s:.0f} s</td><td>{t.targets}</td><td>{t.hits}</td>"
        f"<td>{t.false_alarms}</td><td>{_pct(t.hit_rate)}</td><td>{_secs(t.mean_reaction_s)}</td></tr>"
        for t in score.thirds
    )
    plot = f'<img src="data:image/png;base64,{plot_png_b64}" width=640>' if plot_png_b64 else ""
    unscored = (
        f"<p class=warn>Not scored (no ground truth): "
        f"{e(', '.join(Path(f).name for f in score.unscored_feeds))}</p>"
        if score.unscored_feeds
        else ""
    )
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>Scorecard {e(session.trainee)}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #1b2430; }}
h1 {{ margin: 0 0 4px 0; }} .sub {{ color: #5b6776; margin-bottom: 16px; }}
table {{ border-collapse: collapse; margin: 8px 0 18px 0; }}
td, th {{ border: 1px solid #d5dbe3; padding: 4px 10px; text-align: right; }}
th {{ background: #eef2f6; }} td:first-child {{ text-align: left; }}
.card {{ border: none; text-align: center; padding: 6px 14px; }}
.v {{ font-size: 26px; font-weight: bold; }} .k {{ color: #5b6776; font-size: 12px; }}
.warn {{ color: #a04000; }}
</style></head><body>
<h1>Scorecard — {e(session.trainee)}</h1>
<div class=sub>{e(when)} · {len(session.feeds)} feeds · detector aid: {e(aid)}</div>
<table><tr>{cards}</tr></table>
{unscored}
<h2>Trainee and detector on the same footage</h2>
<table><tr><th></th><th>trainee</th><th>detector</th></tr>{compare}</table>
<h2>Per feed</h2>
<table><tr><th>feed</th><th>targets</th><th>hits</th><th>misses</th><th>false alarms</th>
<th>hit rate</th><th>mean reaction</th></tr>{feeds}</table>
<h2>Vigilance (session in thirds)</h2>
<table><tr><th>time</th><th>targets</th><th>hits</th><th>false alarms</th><th>hit rate</th>
<th>mean reaction</th></tr>{thirds}</table>
{plot}
</body></html>"""
