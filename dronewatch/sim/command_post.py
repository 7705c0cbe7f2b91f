"""The command-post exercise: nine feeds watched at once, most of them quiet.

Each feed has its own seed (so its own ground), camera and light. Three feeds stay
empty for the whole clip; the other six each show a few targets (a team creeping along
cover, a passing vehicle) during one window of about a fifth of the clip. The windows
are staggered so that at any moment at most two feeds carry targets.

>>> feeds = command_post_feeds(seed=0)
>>> len(feeds), feeds[0].name
(9, 'command-post-1')
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from dronewatch.sim.presets import Preset

COMMAND_POST = "command-post"
COMMAND_POST_DESCRIPTION = "a set of 9 feeds, most quiet at any moment (writes command-post-1..9)"
FEED_COUNT = 9
QUIET_FEEDS = 3
WINDOW = 0.2  # fraction of the clip each active feed shows targets for
_STARTS = (0.02, 0.17, 0.32, 0.47, 0.62, 0.78)

# Views: camera, weather, sensor, tilt; a feed's index picks one.
_VIEWS: tuple[dict[str, object], ...] = (
    {"camera": "drift", "weather": "clear"},
    {"camera": "pan", "weather": "clear", "speed_mps": 1.5},
    {"camera": "orbit", "weather": "overcast", "tilt_deg": 38.0, "jitter_deg": 0.2},
    {"camera": "zoom", "weather": "clear", "zoom": 1.3},
    {"camera": "drift", "weather": "fog"},
    {"camera": "drift", "sensor": "thermal", "noise_sigma": 3.0},
    {"camera": "pan", "weather": "overcast", "speed_mps": 1.5},
    {"camera": "drift", "weather": "rain", "jpeg_quality": 70},
    {"camera": "zoom", "weather": "clear", "zoom": 1.2, "tilt_deg": 28.0},
)


@dataclass(frozen=True, slots=True)
class CommandPostFeed:
    """One feed of the set: file name, preset and seed."""

    name: str
    preset: Preset
    seed: int


def command_post_feeds(seed: int = 0, name: str = COMMAND_POST) -> list[CommandPostFeed]:
    """The nine feeds for ``seed``: ``NAME-1`` .. ``NAME-9``, reproducible."""
    rng = np.random.default_rng([seed, 9009])
    quiet = set(rng.choice(FEED_COUNT, size=QUIET_FEEDS, replace=False).tolist())
    starts = list(rng.permutation(_STARTS))
    base = Preset(COMMAND_POST, "", speed_mps=1.0, vehicles=1, people=3)
    feeds = []
    for k in range(FEED_COUNT):
        view = _VIEWS[k]
        if k in quiet:
            preset = replace(base, vehicles=0, people=0, targets="none", **view)  # type: ignore[arg-type]
            what = "quiet all along"
        else:
            start = float(starts.pop())
            window = (round(start, 3), round(start + WINDOW, 3))
            preset = replace(base, targets="sparse", active=window, **view)  # type: ignore[arg-type]
            what = f"targets from {window[0]:.0%} to {window[1]:.0%} of the clip"
        label = f"{name}-{k + 1}"
        described = replace(preset, name=label, description=f"command-post feed {k + 1}: {what}")
        feeds.append(CommandPostFeed(label, described, seed * FEED_COUNT + k))
    return feeds
