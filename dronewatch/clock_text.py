"""Clock times as text, the one formatter for HUDs, tables, timelines and reports."""

from __future__ import annotations


def format_clock(seconds: float, decimals: int = 2) -> str:
    """``mm:ss.cc`` (``h:mm:ss.cc`` past an hour) with ``decimals`` digits of seconds.

    >>> format_clock(3725.5, 1)
    '1:02:05.5'
    """
    minutes, secs = divmod(max(0.0, seconds), 60.0)
    hours, minutes = divmod(int(minutes), 60)
    sec_text = f"{secs:0{decimals + 3}.{decimals}f}"
    return f"{hours:d}:{minutes:02d}:{sec_text}" if hours else f"{minutes:02d}:{sec_text}"
