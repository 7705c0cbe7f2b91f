"""Synchronised playback of many feeds: one shared clock, one decoder thread per feed."""

from dronewatch.playback.clock import SPEEDS, PlaybackClock
from dronewatch.playback.feed_player import FeedPlayer, FeedStatus, PlayerSnapshot

__all__ = ["SPEEDS", "FeedPlayer", "FeedStatus", "PlaybackClock", "PlayerSnapshot"]
