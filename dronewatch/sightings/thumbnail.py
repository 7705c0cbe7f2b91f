"""Small thumbnails of a target: a padded crop, shrunk to fit a square, encoded as PNG."""

from __future__ import annotations

import cv2
import numpy as np

MIN_CROP_PX = 8


def crop_thumbnail(
    image: np.ndarray,
    xyxy: tuple[float, float, float, float],
    max_px: int = 96,
    pad: float = 0.25,
) -> np.ndarray:
    """Crop ``xyxy`` from a BGR ``image`` with ``pad`` x box size around it.

    The crop is at least ``MIN_CROP_PX`` on a side (tiny far-away targets still give a
    recognisable patch), clipped to the image, and shrunk (never enlarged) so its longer
    side is at most ``max_px``. Returns a new array, never a view of ``image``: the
    frame buffer may be reused by the decoder.
    """
    h, w = image.shape[:2]
    x1, y1, x2, y2 = xyxy
    bw, bh = max(x2 - x1, 1.0), max(y2 - y1, 1.0)
    half_w = max(bw * (0.5 + pad), MIN_CROP_PX / 2)
    half_h = max(bh * (0.5 + pad), MIN_CROP_PX / 2)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    left = int(np.clip(np.floor(cx - half_w), 0, max(w - 1, 0)))
    top = int(np.clip(np.floor(cy - half_h), 0, max(h - 1, 0)))
    right = int(np.clip(np.ceil(cx + half_w), left + 1, w))
    bottom = int(np.clip(np.ceil(cy + half_h), top + 1, h))
    crop = image[top:bottom, left:right]
    longest = max(crop.shape[0], crop.shape[1])
    if longest > max_px:
        scale = max_px / longest
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
        return cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    return crop.copy()


def encode_png(crop: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", crop)
    if not ok:  # pragma: no cover - OpenCV always encodes a non-empty uint8 image
        raise ValueError(f"PNG encoding failed for an array of shape {crop.shape}")
    return buf.tobytes()
