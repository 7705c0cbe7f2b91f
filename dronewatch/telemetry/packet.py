"""The decoded packet type shared by every KLV standard we read."""

from __future__ import annotations

from dataclasses import dataclass, field

ST0601 = "ST0601"
EG0104 = "EG0104"


@dataclass(frozen=True)
class KlvPacket:
    """One decoded KLV packet.

    ``values`` maps snake_case ST 0601 item names to decoded, scaled values (``float``
    degrees/metres/..., ``int`` counts and microsecond times, ``str`` text), or ``None``
    where the standard's "reserved/error" value was sent. ``checksum_ok`` is ``None``
    for standards without a checksum (EG 0104). ``pts_s`` is the presentation time in
    the container, ``None`` for raw KLV files. ``raw_len`` counts the packet's bytes from
    the first key byte to the end of its value. ``undecoded_tags`` lists items present
    but not decoded (unknown tags, nested sets, a value of the wrong size).
    """

    values: dict[str, object]
    checksum_ok: bool | None
    pts_s: float | None
    raw_len: int
    standard: str
    undecoded_tags: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class KlvReadResult:
    """Packets decoded from one source, with counts of what was skipped."""

    packets: tuple[KlvPacket, ...]
    skipped: int
    """Malformed packets or runs of non-KLV bytes that were skipped."""

    @property
    def bad_checksums(self) -> int:
        """Packets decoded although their checksum did not match."""
        return sum(1 for p in self.packets if p.checksum_ok is False)
