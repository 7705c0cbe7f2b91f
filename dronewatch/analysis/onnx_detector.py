"""Optional learned detector: a YOLOX-style ONNX model run through ``cv2.dnn``.

Expected model: input ``[1, 3, S, S]`` BGR 0-255 letterboxed with grey 114, output
``[1, A, 5 + C]`` raw (grid offsets and log sizes per stride 8/16/32, objectness,
class scores). COCO names are mapped to our coarse classes; names that an aerial view
fools (a car from above is a "toilet", a walker is a "bird") are mapped by what they
really are from the air.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from dronewatch.analysis.config import ModelConfig
from dronewatch.analysis.types import TARGET_CLASSES, Detections, TargetClass
from dronewatch.errors import DroneWatchError

_STRIDES = (8, 16, 32)

# COCO index -> (our class, confidence factor). Unlisted classes are ignored.
_COCO_MAP: dict[int, tuple[TargetClass, float]] = {
    0: (TargetClass.PERSON, 1.0),  # person
    1: (TargetClass.VEHICLE, 0.9),  # bicycle
    2: (TargetClass.VEHICLE, 1.0),  # car
    3: (TargetClass.VEHICLE, 1.0),  # motorbike
    4: (TargetClass.VEHICLE, 0.8),  # aeroplane
    5: (TargetClass.VEHICLE, 1.0),  # bus
    6: (TargetClass.VEHICLE, 1.0),  # train
    7: (TargetClass.VEHICLE, 1.0),  # truck
    8: (TargetClass.VEHICLE, 1.0),  # boat
    14: (TargetClass.PERSON, 0.6),  # bird: a person seen from a drone
    28: (TargetClass.VEHICLE, 0.6),  # suitcase: a car roof
    36: (TargetClass.VEHICLE, 0.5),  # skateboard
    37: (TargetClass.VEHICLE, 0.6),  # surfboard: a boat from above
    61: (TargetClass.VEHICLE, 0.7),  # toilet: a car from above
    65: (TargetClass.VEHICLE, 0.5),  # remote
    67: (TargetClass.VEHICLE, 0.6),  # cell phone: a car from above
    15: (TargetClass.UNKNOWN, 0.6),  # cat
    16: (TargetClass.UNKNOWN, 0.6),  # dog
    17: (TargetClass.UNKNOWN, 0.6),  # horse
    18: (TargetClass.UNKNOWN, 0.6),  # sheep
    19: (TargetClass.UNKNOWN, 0.6),  # cow
}
_CLASS_INDEX = {c: i for i, c in enumerate(TARGET_CLASSES)}


class OnnxDetector:
    """Runs the model on a BGR frame and returns boxes in that frame's pixels."""

    def __init__(self, path: Path, config: ModelConfig) -> None:
        self._cfg = config
        self.path = Path(path)
        if not self.path.is_file():
            raise DroneWatchError(f"{self.path}: model file not found")
        try:
            self._net = cv2.dnn.readNetFromONNX(str(self.path))
        except cv2.error as exc:
            first = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unreadable"
            raise DroneWatchError(f"{self.path}: not a usable ONNX model ({first})") from exc
        self._grids = _grids(config.input_size)
        n_cls = len(_COCO_MAP)
        lut_cls = np.full(max(_COCO_MAP) + 1 if n_cls else 1, -1, np.int16)
        lut_fac = np.zeros(len(lut_cls), np.float32)
        for coco, (target, factor) in _COCO_MAP.items():
            lut_cls[coco] = _CLASS_INDEX[target]
            lut_fac[coco] = factor
        self._lut_cls, self._lut_fac = lut_cls, lut_fac
        self._check_output()

    def _check_output(self) -> None:
        size = self._cfg.input_size
        try:
            out = self._forward(np.full((size, size, 3), 114, np.uint8))
        except cv2.error as exc:
            raise DroneWatchError(f"{self.path}: model failed to run ({exc})") from exc
        if out.ndim != 2 or out.shape[0] != len(self._grids[0]) or out.shape[1] < 6:
            raise DroneWatchError(
                f"{self.path}: expected a YOLOX output of shape [1, {len(self._grids[0])}, 5+C] "
                f"for input {size}x{size}, got {list(out.shape)}"
            )

    def _forward(self, img: np.ndarray) -> np.ndarray:
        blob = cv2.dnn.blobFromImage(img, 1.0, swapRB=False)
        self._net.setInput(blob)
        out = self._net.forward()
        return np.asarray(out).reshape(-1, out.shape[-1])

    def detect(self, bgr: np.ndarray) -> Detections:
        cfg = self._cfg
        size = cfg.input_size
        h, w = bgr.shape[:2]
        r = min(size / w, size / h)
        nw, nh = round(w * r), round(h * r)
        canvas = np.full((size, size, 3), 114, np.uint8)
        canvas[:nh, :nw] = cv2.resize(bgr, (nw, nh), interpolation=cv2.INTER_LINEAR)
        out = self._forward(canvas)
        grid, stride = self._grids
        xy = (out[:, :2] + grid) * stride[:, None]
        wh = np.exp(np.clip(out[:, 2:4], -10, 10)) * stride[:, None]
        cls_scores = out[:, 5:]
        coco = cls_scores.argmax(axis=1)
        score = out[:, 4] * cls_scores[np.arange(len(out)), coco]
        known = coco < len(self._lut_cls)
        mapped = np.where(known, self._lut_cls[np.minimum(coco, len(self._lut_cls) - 1)], -1)
        factor = np.where(known, self._lut_fac[np.minimum(coco, len(self._lut_fac) - 1)], 0)
        score = score * factor
        keep = (mapped >= 0) & (score >= cfg.score_threshold)
        if not keep.any():
            return Detections.empty()
        xy, wh, score, mapped = xy[keep], wh[keep], score[keep], mapped[keep]
        boxes = np.concatenate([xy - wh / 2, xy + wh / 2], axis=1) / r
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, w)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, h)
        xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
        idx = cv2.dnn.NMSBoxes(
            xywh.tolist(), score.tolist(), cfg.score_threshold, cfg.nms_threshold
        )
        idx = np.asarray(idx, int).reshape(-1)
        return Detections(
            boxes[idx].astype(np.float32),
            score[idx].astype(np.float32),
            mapped[idx].astype(np.int16),
        )


def _grids(size: int) -> tuple[np.ndarray, np.ndarray]:
    cells, strides = [], []
    for s in _STRIDES:
        n = size // s
        ys, xs = np.mgrid[0:n, 0:n]
        cells.append(np.stack([xs.ravel(), ys.ravel()], axis=1))
        strides.append(np.full(n * n, s))
    return np.concatenate(cells).astype(np.float32), np.concatenate(strides).astype(np.float32)
