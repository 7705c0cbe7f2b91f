"""Which specs are live-stream URLs (kept apart so ``open_source`` imports no PyAV)."""

from __future__ import annotations

STREAM_SCHEMES = ("rtsp", "rtsps", "udp", "rtp", "http", "https", "srt", "tcp")


def is_stream_url(spec: str) -> bool:
    """True for the URLs :class:`~dronewatch.sources.stream.StreamSource` opens."""
    scheme, sep, _ = spec.partition("://")
    return bool(sep) and scheme.lower() in STREAM_SCHEMES
