"""Detection and tracking of moving targets on moving-camera feeds (no Qt)."""
