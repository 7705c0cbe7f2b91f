"""Every tunable of the analysis engine, in one typed, frozen value.

Distances are in pixels of the *work* image (the frame downscaled so its width is at
most ``work_width``) unless the name says otherwise; durations are in seconds so a
config behaves the same at 10 and 30 frames/s.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal


def per_frame_gain(time_constant_s: float, rate: float) -> float:
    """Per-step gain of an exponential filter with a time constant in seconds, at
    ``rate`` steps per second (at most 1: a filter faster than one step follows the
    input)."""
    return min(1.0, 1.0 / max(time_constant_s * rate, 1e-6))


def tentative_reach_frames(tracker: TrackerConfig, fps: float) -> int:
    """How many frames back a track confirmed now may have been first seen (a tentative
    track lives at most ``init_window_s``), with a margin: how long outputs that start
    tracks at their first detection must wait or remember."""
    return round(tracker.init_window_s * fps) + tracker.init_hits + 2


@dataclass(frozen=True, slots=True)
class CameraMotionConfig:
    """Feature tracking + RANSAC homography between consecutive frames."""

    flow_width: int = 320  # features are tracked on a copy at most this wide
    max_corners: int = 160
    quality_level: float = 0.01
    min_distance: int = 8
    grid_cells: int = 4  # corners are picked per cell of a grid x grid partition
    lk_window: int = 13
    lk_levels: int = 2
    ransac_threshold: float = 1.0  # in flow-image pixels
    min_inliers: int = 12
    retry_frames: int = 5  # after failed registrations, try a new key frame this often
    model: Literal["homography", "affine"] = "homography"  # affine: partial, 4 dof
    # A new key frame is taken when a corner of the view has moved this share of the
    # frame height away from the key frame, or when half its corners are lost.
    rekey_fraction: float = 0.12
    # The camera moves the whole view: a fit whose inliers hold fewer than this share
    # of the grid cells with tracked corners follows a large textured mover (a car over
    # plain asphalt) and is refused. At 0.7 a drone over water loses good fits.
    min_inlier_spread: float = 0.5


@dataclass(frozen=True, slots=True)
class MotionDetectorConfig:
    """Running background in stabilised (key-frame) coordinates and blob extraction."""

    learning_time_s: float = 1.0  # time constant of the running-average background
    # A second reference, the median of frames sampled over the last seconds
    # (dronewatch.analysis.median_background): a pixel is foreground only when it
    # differs from both, so the trails the average keeps behind targets are not.
    median_reference: bool = True
    median_samples: int = 9
    median_interval_s: float = 0.75
    # Right after a restart every sample is the restart frame, targets and all: the
    # first samples are taken this often so that those targets leave the median soon.
    median_first_interval_s: float = 0.2
    learn_every: int = 1  # learn the background every n-th frame (at n times the rate)
    max_step_per_s: float = 30.0  # grey levels per second the background may move
    foreground_learning_factor: float = 0.25  # smaller cap under detected movers
    stable_time_s: float = 1.0  # memory of the short-term average that spots stable pixels
    stable_tolerance: float = 0.5  # share of the threshold within which a pixel is stable
    stable_learning_s: float = 0.25  # how fast stable pixels (ghosts) are learnt
    warmup_s: float = 0.3  # newly seen ground needs this much history before it counts
    blur_kernel: int = 3
    # A pixel is foreground when it differs from every background pixel in a
    # (2r+1)^2 window by more than the threshold: this absorbs sub-pixel
    # registration error and parallax on strong edges.
    misregistration_radius: int = 1
    # The threshold (grey levels) is the largest of three terms:
    # - a floor;
    # - a scene term: the smaller of a share of the scene's contrast (10th-90th
    #   percentile range of the background) and a multiple of its fine texture (75th
    #   percentile of the 3x3 local range), capped. Faint trails and ghosts of
    #   vehicles scale with the scene's contrast, and haze dims targets, texture and
    #   trails alike; the texture term keeps a high-contrast view of smooth water
    #   (UAV123 boat1) from getting a threshold its boat cannot pass;
    # - a multiple of the 95th percentile of |frame - background|, which rises with
    #   sensor noise and rain (for Gaussian noise 2.2 x p95 is about 4.3 sigma).
    # Measured thresholds: daylight simulator 30, fog 12, rain 17-20, boat1 25.
    threshold_min: float = 10.0
    # 0.55 -> 0.4 (0.35-0.45 alike): simulator daylight, fog and rain seeds 1-3 / 4-9
    # MOTA 0.190 -> 0.209 / 0.209 -> 0.215 (fog gains most: haze halves the scene's
    # contrast); real clips' thresholds come from the texture and noise terms (same).
    threshold_contrast: float = 0.4
    threshold_texture: float = 5.0
    threshold_scene_max: float = 30.0  # 0 turns the scene term off
    # Thermal has no cast shadows and dimmer trails: the simulator's thermal clips
    # score the same at 15 as at 30, and a small drone against the sky
    # (counter-drone IR) is found in 91% of frames at 15 against 69% at 25.
    threshold_scene_max_thermal: float = 15.0
    # 2.5 -> 2.2: boat1 hit@0.5 0.817 -> 0.924 (2.0-2.3: 0.89-0.94; hit@0.3 0.864 ->
    # 0.987), person12_1 0.343 -> 0.373; simulator (daylight, fog, rain seeds 1-9,
    # thermal-night 1-6), pets09 and counter-drone unchanged; 2.1 and below cost rain.
    threshold_noise: float = 2.2
    hysteresis: float = 0.5  # blobs grow into pixels above this share of the threshold
    close_kernel: int = 3
    # Cast shadows move with their target and make its blob far too big (from a drone
    # a walker's shadow is longer than the walker); see dronewatch.analysis.shadows.
    shadow_removal: bool = False  # off: in the simulator it costs fog more than it gains
    shadow_ratio_min: float = 0.3  # a shadow darkens the ground to this share or more
    shadow_ratio_max: float = 0.9  # ... and at most to this share
    shadow_peak_share: float = 0.3  # histogram mass near the peak needed to trust it
    shadow_min_pixels: float = 200.0
    shadow_hist_decay: float = 0.97
    # Without a learnt shadow factor: a blob with a clearly darker part and a
    # brighter-than-ground part gets the box of its brighter part.
    shadow_split: bool = True
    # A blob whose part at the feed's shadow ratio lies to one side gets the box of the
    # rest (dronewatch.analysis.shadow_cut). Not on thermal feeds.
    shadow_cut: bool = True
    shadow_cut_min_ratio: float = 0.16  # a shadow darkens the ground to this share ...
    shadow_cut_max_ratio: float = 0.6  # ... up to this (fainter ones are left alone)
    shadow_cut_band: float = 0.08  # its pixels' ratios lie this close to their mode
    shadow_cut_min_share: float = 0.15  # it is a connected part of this share of the blob
    shadow_cut_min_rest: float = 0.2  # and leaves this share of the blob as the target
    shadow_cut_min_offset: float = 0.2  # centroids apart by this share of sqrt(blob area)
    shadow_cut_agreement: float = 0.3  # share of the feed's recent cuts at about one ratio
    # A small blob darker than the ground all through (every pixel under
    # ``shadow_alone_max_ratio`` of it), typically at the agreed shadow ratio or up to
    # ``shadow_alone_fainter`` fainter, is a shadow on its own and is dropped: up to
    # this many work px (walkers' shadows; cars are larger). Simulator daylight, fog
    # and rain, seeds 1-3 / 4-6: MOTA 0.157 -> 0.175 / 0.192 -> 0.205 (day-pan 0.10
    # -> 0.16); pets09 -0.012 -> 0.022. 0 turns it off.
    shadow_alone_max_area: int = 40
    shadow_alone_max_ratio: float = 0.9
    shadow_alone_fainter: float = 0.19
    bright_min_share: float = 0.1
    dark_min_share: float = 0.1
    # Daylight: an upright blob (at least ``bright_head_upright`` times taller than
    # wide) whose bright part is centred in its top ``bright_head_top`` share keeps its
    # whole box instead of its bright part's: a walker's head, hair or shoulders above
    # darker clothes. 0 turns this off. pets09 MOTA@0.5 0.371 -> 0.428, person12_1
    # hit@0.5 0.378 -> 0.413; simulator daylight, fog and rain 0.216 -> 0.214 (seeds
    # 1-3), 0.223 both (4-9); boat1 and counter-drone unchanged. Top share 0.28 / 0.36
    # / 0.45 without the upright test: pets09 0.408 / 0.434 / 0.409, but boat1 0.924
    # -> 0.860 (its hull's bright top over its dark shadow: not upright). With it:
    # top share 0.3 / 0.4 / 0.5 / 0.67 give pets09 0.417 / 0.420 / 0.406 / 0.268 (a
    # bright part lower down is mostly one of two walkers side by side, and its box is
    # the better one); upright 1.3 / 1.8 give 0.429 / 0.427.
    bright_head_top: float = 0.33
    bright_head_upright: float = 1.5
    # Daylight: on empty ground (see ``faint_edge_*``: an empty sky) a blob keeps its
    # whole box even with a clear darker part, since there is nothing there for a
    # shadow to fall on. True cuts there too (the rule before). Counter-drone visible
    # hit@0.5 0.638 -> 0.694 (hit@0.3 0.897 -> 0.944: the drone's dark arms and body
    # were cut off its pale parts); pets09, person12_1, boat1, counter-drone IR and
    # the simulator's daylight, fog and rain seeds 1-3 and 7-9 unchanged, and 4-6 but
    # for fog seed 5 0.398 -> 0.399 and seed 6 0.281 -> 0.274 (haze flattens some
    # ground to empty). Thermal feeds keep the cut: there the warm part is the target.
    warm_part_on_empty_ground: bool = False
    # Thermal: targets are warmer than the ground, so a blob with (almost) nothing
    # warmer than the background is the cold ghost a warm target left in it when it
    # walked off. Simulator thermal-night seeds 1-3 / 4-9: MOTA 0.634 -> 0.668 /
    # 0.428 -> 0.494 (false positives on seed 5: 1,193 -> 642 track-frames).
    thermal_min_warm_share: float = 0.05
    min_area: int = 4  # work pixels
    # Daylight: a blob under this many work pixels is a piece, not a target of its own:
    # it joins the box of a target tracked around it and may continue the track of a
    # target no bigger than ``TrackerConfig.piece_track_max_area``, but starts no
    # track and does not take a bigger target's track over. Texture and flutter (pets09's
    # barrier tape, leaves, compression) leave such blobs; a walker's hand or foot
    # does too, and matched alone it drags his box off him. Thermal feeds: off (a small
    # warm blob is a person far off). See benchmarks/README.md for the measurements.
    piece_area: int = 14
    # Each box of at most ``refiner_max_side`` work px (not one grown on
    # empty ground) is redrawn by a small learned model looking at a 40 px window
    # around it: the targets it finds there at heat above ``refiner_threshold`` replace
    # the box, after non-maximum suppression at ``refiner_nms_iou``
    # (dronewatch.analysis.window_refiner; a box with none near it: see
    # ``refiner_unseen_confidence``). ``refiner_model``: an ONNX file of the same
    # form, empty for the bundled one. The bundled model (trained on upright windows
    # only) at 0.3 / 0.4 / 0.5: 0.578 / 0.601 / 0.546 (daylight, fog and rain seeds
    # 1-3, ninth session, ``refiner_unseen_gap`` -1).
    refine_windows: bool = True
    refiner_model: str = ""
    # Thermal feeds too, with a model of their own (the same network trained on
    # thermal-night windows; ``refiner_model_thermal``, empty for the bundled one)
    # at a threshold of its own. Simulator thermal-night seeds 1-3 / 4-9: off 0.697 /
    # 0.555, the daylight model 0.842 / 0.706 (a warm walker's window looks like a
    # bright one), a first thermal model (seeds 10-57) at 0.35 / 0.4 / 0.5 / 0.6 / 0.7
    # 0.863 / 0.863 / 0.867 / 0.854 / 0.804 and 0.789 / 0.822 / 0.841 / 0.820 / 0.738;
    # the bundled one (twice the windows), with found boxes kept whole (see
    # ``TrackerConfig.found_whole_heat``), at 0.4 / 0.5 / 0.6 0.946 / 0.951 / 0.952 on
    # seeds 1-3, 0.896 at 0.5 on 4-9. Counter-drone IR hit@0.5 0.708 -> 0.694, hit@0.3
    # 0.947 -> 0.860 (its drone is drawn smaller than its loose ground-truth box; see
    # below). It costs speed: the thermal sample 12.2-12.9x -> 7.4-7.5x real time
    # (benchmarks/README.md).
    refine_windows_thermal: bool = True
    refiner_model_thermal: str = ""
    refiner_threshold_thermal: float = 0.5
    # A box on empty ground (an empty sky: ``faint_edge_*``'s test) is kept as the
    # motion detector drew it, grown or not: the model learnt targets on textured
    # ground and draws a drone in the sky as a smaller walker. Counter-drone IR
    # hit@0.5 0.638 -> 0.648 with the daylight model, 0.698 -> 0.701 with the thermal
    # one; the simulator unchanged.
    refiner_keep_empty_ground: bool = True
    refiner_threshold: float = 0.4
    refiner_nms_iou: float = 0.3
    refiner_max_side: float = 32.0
    # A motion box in which the model finds no target is kept at this confidence
    # (see ``TrackerConfig.new_track_confidence``: under it a box only continues a
    # track, or from ``weak_start_confidence`` starts one confirmed later); 0 drops it.
    # The model knows the simulator's targets; a target of another look still has
    # its motion box.
    refiner_unseen_confidence: float = 0.3
    # ... unless a box the model found explains it: one whose centre lies within
    # 12 work px of it (a walker beside his shadow, a whole car beside half of it) and,
    # at 0 or more, whose edges come within this many px of it. The bundled model knows
    # upright walkers only and draws one a few px beside a small square mover (its
    # window shows no walker); by the centre alone that phantom hid the mover's own
    # box, the track jumped to it and the square was lost when it stopped (unit-test
    # scene). At 0 (the boxes must overlap) it is followed. -1: the centre alone.
    # Daylight, fog and rain seeds 1-3 / 4-9: -1 0.599 / 0.588, 0 0.585 / 0.579; 1
    # and 4 px 0.588 and 0.593 on 1-3, and the square is lost again at 4. The model
    # trained with windows turned on their side as well needs none of this but
    # scores 0.577 / 0.553.
    refiner_unseen_gap: float = 0.0
    # A box the model finds needs this many pixels differing from a background by
    # ``refiner_support_share`` of the threshold: on ground unlike the simulator's
    # (fine texture) the model sees targets where nothing has changed. 0 = off.
    # Share 0.5 / 0.4 / 0.3 (with the fill rule below): daylight, fog and rain seeds
    # 1-3 0.594 / 0.600 / 0.607, held-out 4-9 0.585 / 0.590 / 0.588, person12_1
    # hit@0.5 0.373 / 0.383 / 0.373; at 0.2 the stopped square of the unit test is
    # lost again (a phantom beside it finds enough change).
    refiner_support_px: int = 2
    refiner_support_share: float = 0.4
    # ... and that cover this share of its box, unless the model's heat there is at
    # least ``refiner_support_sure``: beside a small square mover, unlike any of the
    # simulator's targets, the model also draws a walker (heat 0.40-0.51) whose
    # differing pixels are only the blob's edge, and the track jumps to it (the
    # unit-test scene's stopped square is boxed in 63% of its frames under 0.08, 97%
    # from it), while faint walkers with a tenth of their box changed come at heat
    # 0.43-0.68. Daylight, fog and rain seeds 1-3 / 4-9 with the upright model: fill
    # 0 0.598 / 0.588, 0.05 0.601 / 0.590, 0.1 0.585 / 0.579, 0.1 with 0.55 sure
    # 0.594 / 0.585 (0.5: 0.593 / 0.584).
    refiner_support_fill: float = 0.1
    refiner_support_sure: float = 0.55
    # ... and blobs that differ from the median reference by the threshold but not
    # from the running average (a slow walker the average has learnt, or a ghost)
    # are offered to it too: only a target it finds there becomes a box.
    refiner_proposals: bool = True
    # Thermal feeds: not. Simulator thermal-night seeds 1-3 / 4-9 / 60-65 0.951 /
    # 0.896 / 0.938 with them, 0.950 / 0.889 / 0.938 without, the thermal sample 0.872
    # / 0.865; without them the thermal sample analyses at 8.8-9.6x real time instead
    # of 7.5-8.0x (alternating runs), and on the unit tests' grey textured pan the
    # model finds 6 false walkers instead of 20 (motion boxes alone: none).
    refiner_proposals_thermal: bool = False
    # ... unless the frame's brightness is this far (as a gain) from the median's
    # samples: after an exposure jump the median, remapped, reads texture as movers
    # (a 1.4x gain jump: 322 boxes a frame). Drifting haze stays within 0.15.
    refiner_proposal_max_gain: float = 0.2
    # ... measured from the gain's usual level over about this long, not from 1 (0:
    # from 1). In rain the frame's streaks widen its brightness range and the median
    # has none, so the median maps onto the frame at a steady 1.3-1.5: from 1, the
    # median's blobs were off for most of rain seeds 2, 6 and 7 (person12_1 too, now
    # and then). Rain seeds 1-3 / 4-9 0.647 / 0.529 -> 0.651 / 0.580 (seed 7 0.386 ->
    # 0.567; 2 s: 0.603 over 1-9 against 0.604; never off: 0.600); daylight and fog
    # unchanged, person12_1 hit@0.5 0.353 -> 0.383. A 1.35x jump still stops them.
    refiner_proposal_gain_memory_s: float = 1.0
    # ... nor a blob whose centre lies within this many work px (on each axis) of a
    # looked-at motion box's centre: that box's 40 px window already shows it, and the
    # model finds every target in a window. Busy sample: 20 proposal windows a frame
    # -> 10; daylight, fog and rain seeds 1-3 / 4-9 0.487 / 0.472 -> 0.494 / 0.479
    # (10: 0.487 / 0.476; 18: 0.493 / 0.482). 0: only blobs inside a motion box.
    refiner_proposal_margin: float = 14.0
    # The blobs are cut at this share of the detector's threshold: the model tells a
    # faint walker from faint texture better than the threshold does. Daylight, fog
    # and rain seeds 1-3 / 4-9 0.494 / 0.479 -> 0.509 / 0.508; 0.5: 0.516 / 0.511,
    # 0.35: 0.507 / 0.488. Speed (`bench analyze`, one run): fog sample 9.7x -> 8.6x
    # (0.5: 7.3x), day-pan sample 9.3x -> 8.7x (0.5: 8.4x). person12_1 (the refiner
    # runs there) hit@0.5 0.413 -> 0.358, but it swings as much with any change
    # (0.95: 0.358, 0.85: 0.343, 0.5: 0.353); other real clips unchanged.
    # 0.7 -> 0.5 with this session's engine (2026-11-28, fifteenth): daylight, fog and
    # rain seeds 1-3 / 4-9 0.612 / 0.597 -> 0.625 / 0.607 (IDF1 0.696 / 0.706 -> 0.689
    # / 0.710; each preset up on 1-3, day-pan 4-9 -0.006); 0.4 / 0.6 over seeds 1-9:
    # 0.606 / 0.609 against 0.613. Fog offers 13 proposal windows a frame against 5:
    # the fog sample analyses 15% slower, the day-pan sample 3%. Real clips unchanged
    # but person12_1 hit@0.5 0.373 -> 0.353 (hit@0.3 0.711 both).
    refiner_proposal_threshold: float = 0.5
    # Small targets on empty ground (an empty sky) keep their faint rims: a box whose
    # longer side is at most ``faint_edge_max_px`` grows over the pixels within
    # ``faint_edge_margin`` of its longer side that differ from the median background
    # by more than ``faint_edge_floor`` levels (thermal: are that much warmer), when
    # 90% of the ground out to twice that differs from it by at most
    # ``faint_edge_clean_max``, half of it is featureless (3x3 range at most
    # ``faint_edge_flat_max``), the rim reaches ``faint_edge_min_reach`` px past the
    # box and no other blob goes on past it (dronewatch.analysis.faint_edges).
    # Boxes of 4 px or less do not grow (the rim reaches at most a margin). Needs the
    # median reference. Counter-drone hit@0.5: IR 0.000 -> 0.708, visible 0.571 ->
    # 0.638; simulator thermal-night 12 seeds 0.625 -> 0.624 (its warm halo is outside
    # its boxes); daylight, fog, rain and the other real clips unchanged. 0 = off.
    faint_edge_max_px: int = 64
    faint_edge_margin: float = 0.5
    faint_edge_floor: float = 3.0
    faint_edge_clean_max: float = 2.0
    faint_edge_flat_max: float = 1.0
    faint_edge_min_reach: float = 3.0
    # Blobs covering several targets (people walking in a group) are cut between the
    # peaks of their difference from the background (dronewatch.analysis.blob_split).
    # Thermal only: a warm body is one hill of heat, while in daylight a target's parts
    # (a car's roof, glass and learnt middle; a walker and its shadow) are hills too.
    # Simulator thermal-night, seeds 1-6: MOTA 0.34 -> 0.55 (held-out seeds 7-9: 0.15
    # -> 0.38); every daylight, fog and rain variant tried lost (cars came in pieces).
    split_peaks: Literal["never", "thermal", "always"] = "thermal"
    split_saddle: float = 0.9  # the dip between two targets falls below this share
    # ... or below this one where the blob lies on empty ground (see faint_edge_*):
    # a drone's warm rotors are hills parted by dips of 0.83-0.89 of the lower one,
    # walkers side by side by dips of about 0.4. Counter-drone IR hit@0.5 0.648 ->
    # 0.708 with the faint rims.
    split_saddle_empty: float = 0.8
    split_min_distance: float = 3.0  # peaks closer than this (work px) are one target
    split_min_area: int = 12  # blobs from this many work pixels ...
    split_max_area: int = 300  # ... to this many may hold several targets
    # Two upright figures side by side in one blob (walkers seen from an elevated
    # camera) are cut at the dip between them in the blob's column profile when it
    # falls under this share of the lower peak on either side and both parts are at
    # least ``split_valley_tall`` times taller than wide (dronewatch.analysis.blobs;
    # 0 = never). On pets09, 342 of the 509 boxes over two walkers held them side by
    # side, 213 with a dip under half the lower peak. pets09 MOTA@0.5 0.231 -> 0.371
    # (IDF1 0.392 -> 0.502); shares 0.3 / 0.4 / 0.6: 0.292 / 0.325 / 0.369 (tall 1.2
    # / 2.0); tall 1.2 / 1.5 / 1.8 at 0.5: 0.374 / 0.375 / 0.379, but person12_1's
    # walker (hit@0.5 0.383) fell to 0.348 / 0.348 / 0.373 (0.378 at 2.0; hit@0.3
    # 0.697 throughout). Simulator daylight, fog and rain seeds 1-3 0.213 -> 0.216,
    # held-out 4-9 and thermal-night's 12 seeds unchanged (its people are seen from
    # above), boat1 and counter-drone unchanged.
    split_valley: float = 0.5
    split_valley_tall: float = 2.0
    # A blob whose outline is an edge in the background (the median reference) but
    # under this share of it in the frame is a ghost (dronewatch.analysis.blobs;
    # edges are the 3x3 max - min). Simulator daylight, fog and rain, seeds 1-3 /
    # 4-6: MOTA 0.175 -> 0.185 / 0.205 -> 0.217; pets09 0.022 -> 0.082; person12_1
    # hit@0.3 0.572 -> 0.607; boat1, thermal-night, counter-drone IR unchanged,
    # counter-drone visible 0.864 -> 0.870; busy sample about 3% slower. Sobel edges
    # per blob scored the same and cost 13-16%. At 0.7 (Sobel) boat1 falls 0.76 ->
    # 0.24: the water round the boat is smoother in the frame than in the
    # background. 0: off (both this and ``ghost_edge_ratio_thermal``).
    # 0.4 -> 0.5 (same run as threshold_contrast 0.4): pets09 0.198 -> 0.231 (0.6:
    # 0.231, 0.45: 0.194); simulator seeds 4-9 0.209 -> 0.214; person12_1, boat1 and
    # thermal-night unchanged; at 0.6 boat1 starts to lose (0.924 -> 0.907).
    # Daylight 0.5 -> 1.0 (sixth 2026-11-27 session): a ghost whose outline runs
    # along an edge both frame and background have (a kerb, a field's border) kept
    # the frame's mean up to over half the background's; at 1.0 what they share adds
    # to both sides alike and cancels (the means differ by exactly the mean of the
    # background-only edge less the frame-only edge). A confirmed track on such a
    # ghost held the background under it (``tracker.hold_background``) and kept the
    # ghost for good: day-pan seed 2 had one for 228 frames on a kerb a walking
    # group's shadows had crossed. Simulator daylight, fog and rain MOTA seeds 1-3
    # 0.230 -> 0.252 (day-pan 0.196 -> 0.247), 4-9 0.233 -> 0.251; pets09 0.638 (IDF1
    # 0.630 -> 0.629), person12_1 unchanged, boat1 hit@0.5 0.977 -> 0.973,
    # counter-drone visible 0.694 -> 0.684.
    ghost_edge_ratio: float = 1.0
    # Thermal feeds keep 0.5: at 1.0 thermal-night seeds 4-9 fall 0.557 -> 0.501
    # (warm walkers' outlines blur into the background's).
    ghost_edge_ratio_thermal: float = 0.5
    # Thin, long blobs on their own are rain streaks or slivers of misregistered edges:
    # at most this wide (work px) and this many times longer than wide. Kept when they
    # lie within ``streak_keep_margin`` px of another blob (the thin edge of a target).
    streak_width: float = 3.0  # 0 keeps every streak
    streak_elongation: float = 3.0
    streak_keep_margin: float = 2.0
    max_area_fraction: float = 0.05  # blobs bigger than this share of the frame are dropped
    # A global change (IR switch, auto exposure) that gain normalisation cannot
    # explain floods the difference; above this share of foreground pixels the
    # background restarts from the current frame.
    flood_fraction: float = 0.3
    flood_cell_fraction: float = 0.02  # an 8x8 grid cell is busy above this foreground share
    flood_cells: float = 0.5  # ... and the frame floods when this share of cells is busy
    normalise_gain: bool = True
    border_margin: int = 4  # ignore this many pixels along the valid-region border
    # Thermal: also report warm blobs (brighter than their surroundings).
    thermal: bool | None = None  # None = decide from the first frames (a grey picture)
    # A grey feed decided thermal is daylight after all when, over its first
    # ``thermal_polarity_s`` of movers, fewer than this share of the pixels that differ
    # from the backgrounds are brighter than them (a monochrome visible camera: dark
    # coats and shadows; dronewatch.analysis.thermal_decision). Measured over 2 s on
    # grey feeds: thermal-night seeds 1-9 0.62-0.78, the thermal sample 0.62,
    # counter-drone IR 0.82; visible clips made grey: pets09 0.27, counter-drone
    # visible 0.18, person12_1 0.32, simulator fog 0.19 (daylight now), boat1 0.40,
    # day-pan 0.41 (still thermal). Over 1 s pets09 and person12_1 are at 0.45 / 0.42,
    # the thermal sample at 0.54: too close. Grey pets09 MOTA -6.17 -> 0.626 (0.636 in
    # colour), person12_1 hit@0.5 0.005 -> 0.353, counter-drone visible 0.000 ->
    # 0.508; thermal-night, IR unchanged. 0: a grey picture is thermal, whatever moves.
    thermal_min_bright_share: float = 0.35
    thermal_polarity_s: float = 2.0
    # When such a feed turns out to be daylight, up to this many of its last seconds
    # are analysed again as daylight, and the analysis goes on from there as if the
    # feed had been daylight from its start: tracks, backgrounds and the refiner's
    # vote made while it was taken for thermal are dropped (0: they are kept). Their
    # grey work copies are kept meanwhile (at most this long: 23 MB at 640x360, 25
    # frames/s), and the replay costs about 2 s of analysis once. On clips made grey,
    # from the switch on every box is the colour analysis's: counter-drone visible
    # hit@0.5 0.508 -> 0.654 (0.684 in colour, the rest is its first 2 s), person12_1
    # 0.353 -> 0.363, pets09 0.626 both (IDF1 0.637 -> 0.623; 0.628 in colour).
    daylight_replay_s: float = 4.0
    hot_threshold: float = 40.0  # grey levels above the local mean
    hot_window: int = 31
    hot_confidence: float = 0.35  # warm blobs only sustain tracks, never start them


@dataclass(frozen=True, slots=True)
class TrackerConfig:
    """Camera-compensated multi-object tracker."""

    kind: Literal["own", "bytetrack"] = "own"  # bytetrack: Roboflow trackers, to compare
    init_hits: int = 3  # detections needed to confirm a track
    init_window_s: float = 2.0  # an unconfirmed track is dropped after this long
    tentative_misses: int = 0  # ... or after this many frames in a row without a box
    # A track is confirmed only once it has moved this far from where it started:
    # flickering clutter and ghosts stay put.
    confirm_min_move_px: float = 2.0
    confirm_min_move_size: float = 0.3  # ... and this share of its size (sqrt(w * h))
    # ... and this many times the RMS jitter of its detections around the track: a
    # flickering or swaying blob jitters about a fixed place, a walker moves away
    # from it. (Straightness of the path rejected slow walkers: their noisy path
    # grows faster than their distance from the start.)
    confirm_jitter_factor: float = 6.0
    # ... but for a walker seen from a mast (at least this tall, work px, and 1.5-3.5
    # times taller than wide) the jitter of his feet, the bottom of his box: passers-by
    # who join his blob move its top and its centre, and a new track on a walker who
    # slows to a stop was never confirmed (pets09's walker 1, once identities were kept
    # through crossings). A blob flickering in place jitters at the bottom too. Capping
    # the jitter test at half the size instead confirmed such flicker, and for every
    # shape pets09's barrier tape (0.630 -> 0.532). 0 turns it off.
    confirm_feet_min_px: float = 50.0
    max_speed_px_s: float = 200.0  # ... but no faster than this (work px per second)
    # ... or once the window refiner's heat over its detections adds up to this
    # (Candidates.heat; about 8 frames at its typical 0.5), however little it has
    # moved: the model has seen a target there, which flicker and ghosts do not
    # fool as often as they fool the motion test. A walker at 0.13 px a frame whose
    # box jitters by 0.7 px must move 4 px (30 frames), and one frame without a box
    # ends a tentative track: such walkers were boxed in half the frames and never
    # confirmed. Daylight, fog and rain seeds 1-3 / held-out 4-9: 0.455 / 0.420 ->
    # 0.487 / 0.472 (3: 0.475 / 0.464; 6: 0.493 / 0.462); real clips unchanged (the
    # refiner runs where targets are small). 0 turns it off.
    confirm_heat: float = 4.0
    # ... counting only detections this hot: boxes the model finds at a walker's feet
    # or shadow, beside his own, run cooler (median 0.41 against 0.53 on boxes that
    # match a target), and tracks confirmed on them were most of the output boxes
    # beside their target. Seeds 1-3 / 4-9 0.509 / 0.508 -> 0.531 / 0.523; at 0.45
    # 0.525 / 0.518; 0.4 with confirm_heat 3: 0.521 / 0.523.
    confirm_heat_min: float = 0.4
    # Neither background learns under a confirmed target standing still (its whole
    # box, not this frame's detection), so one that stops stays detected; released
    # after it has stood still this long. pets09 (a walker stands 8 s): MOTA@0.5
    # 0.428 -> 0.470 (average held alone 0.431, its detection's box held 0.432, the
    # old px-only stillness 0.428); boat1 hit@0.5 0.924 -> 0.977; simulator
    # daylight, fog and rain 0.214 -> 0.221 (seeds 1-3); person12_1 unchanged;
    # thermal-night seeds 1-6 0.647 -> 0.645.
    hold_background: bool = True
    hold_max_s: float = 12.0
    # ... and under a confirmed upright target this big (longer side, work px; at
    # least ``hold_big_upright`` times taller than wide: a walker seen from a mast)
    # while it moves too: whether a walker has stopped is judged from his track's
    # speed, and a big walker's box jumps between partial detections as the
    # background takes him in, so he seemed to move and was learnt. Held while he
    # moves, he is never learnt. pets09: MOTA@0.5 0.535 -> 0.630 (IDF1 0.600 ->
    # 0.569); over `still_pace` 0.1-0.3 mean 0.529 -> 0.624; its walker who stands 8 s
    # boxed in 50 of 57 frames at every `still_pace` (9 / 11 / 57 / 4 without); 30 / 40
    # / 70 / 100 px: 0.627 / 0.628 / 0.571 / 0.537. person12_1 hit@0.5 0.413 -> 0.428;
    # thermal-night 12 seeds 0.622 -> 0.625; boat1, counter-drone and daylight, fog
    # and rain unchanged. Without the upright test: boat1 0.977 -> 0.970,
    # counter-drone visible 0.571 -> 0.535, simulator -0.001 to -0.002, and a big
    # square target that keeps moving slowly is lost (it is confirmed after the
    # background took in part of it, and holding its box keeps that ghost;
    # benchmarks/README.md). 0 turns the rule off.
    hold_big_px: float = 50.0
    hold_big_upright: float = 1.5
    # Standing still: slower than this (work px / frame) or than ``still_pace`` of its
    # own length a second, whichever is more. A tall walker whose box shrinks as the
    # background takes in his top half seems to move a pixel or two a frame.
    still_speed_px: float = 0.15
    still_pace: float = 0.15
    # A blob holding the predicted centres of exactly two upright confirmed tracks (at
    # least ``split_tracked_upright`` times taller than wide; walkers seen from a
    # mast) is cut between them at its narrowest column, so two walkers who touch
    # keep a box each. Without it one track takes the pair's box and keeps it (its
    # size follows over 2 s, and no track may start inside it): pets09 flipped between
    # the two states, MOTA@0.5 0.389-0.470 (mean 0.431) over `still_pace` 0.1-0.3;
    # with it 0.444-0.480 (mean 0.464; IDF1 0.499 -> 0.474). Simulator, person12_1,
    # boat1 unchanged. 0 turns it off.
    split_tracked_upright: float = 1.5
    # ... unless the two close in on each other faster than this share of the faster
    # one's speed: walkers crossing, not walking together (a cut there swaps their
    # identities). Over the same four `still_pace` values, mean MOTA / IDF1: never
    # 0.464 / 0.474; 0.2 / 0.3 / 0.5 / 1.0 / 1.5: 0.468 / 0.516, 0.473 / 0.522, 0.471 /
    # 0.509, 0.470 / 0.519, 0.477 / 0.475.
    split_tracked_crossing: float = 0.5
    # A piece (a blob under MotionDetectorConfig.piece_area) may continue a track whose
    # box is at most this big (work px^2): a small target seen faintly.
    piece_track_max_area: float = 80.0
    # Walkers who cross: when one blob holds the predicted centres of two confirmed
    # upright targets that were apart and move differently (walkers seen from a mast,
    # crossing or one passing behind the other), and their centres lie in no other
    # box, neither takes it. Each keeps going on its own velocity for up
    # to ``coast_shared_s``, so that when they part each is where its target is. The
    # blob's centre would drag the track that took it onto the other's path, and the
    # two swapped identities as they parted. Only when
    # - their predicted boxes had at most ``coast_shared_overlap`` of the smaller one
    #   in common when they entered the blob: targets that were apart, not two tracks
    #   on the pieces of one, nor a small track inside a vehicle's;
    # - their joint box covers ``coast_shared_fill`` of the blob's: the blob is made
    #   of them, not a car whose parts were tracked;
    # - their velocities differ by ``coast_shared_apart`` of the faster one's speed:
    #   the parts of one target, and walkers side by side, move alike;
    # - both stand ``coast_shared_upright`` times taller than wide: thermal cars tracked
    #   in parts (which the tests above miss) are not.
    # See benchmarks/README.md for what it does to pets09 and the simulator. 0 turns
    # it off.
    coast_shared_s: float = 1.0
    coast_shared_overlap: float = 0.1
    coast_shared_fill: float = 0.6
    coast_shared_apart: float = 0.5
    coast_shared_upright: float = 1.5
    max_age_s: float = 1.5  # a confirmed track survives this long without detections
    coast_output_s: float = 0.0  # report a confirmed track this long after its last detection
    # A confirmed track missed for at most this long and then seen again is filled in
    # over the gap (offline outputs: MOT rows, sightings' paths, overlays when scrubbing
    # back), its predicted boxes moved towards where it was found again.
    fill_gap_s: float = 0.08
    gate_px: float = 2.0  # association gate added to half the track size, work pixels
    gate_growth_px: float = 2.0  # gate grows this much per missed frame
    iou_weight: float = 2.0  # cost = normalised distance - iou_weight * IoU
    position_gain: float = 0.6  # alpha of the alpha-beta filter
    velocity_gain: float = 0.15  # beta of the alpha-beta filter
    # Box size follows the detections with these time constants: blobs flicker in
    # size (fragments, merges, shadows) from frame to frame while targets do not. A
    # tentative track takes its size quickly (a target first seen in pieces: the
    # counter-drone IR drone); a confirmed one keeps it, so that one frame's merge
    # with a neighbour or its shadow, or a fragment, hardly moves it. Against 0.3 s
    # throughout: pets09 MOTA@0.5 0.082 -> 0.206; thermal-night seeds 1-6 / 7-12
    # 0.593 -> 0.621 / 0.535 -> 0.578; daylight, fog and rain seeds 1-3 / 4-6 0.185
    # -> 0.192 / 0.217 -> 0.221; person12_1 and counter-drone IR hit@0.3 0.607 ->
    # 0.612 and 0.887 -> 0.890; boat1 0.764 / 0.821 -> 0.777 / 0.814 (hit@0.5 /
    # 0.3). At 2 s from the first sighting the IR drone falls to 0.794 (its box
    # stays that of its first piece); 1.5 / 3 s after confirmation: thermal 12 seeds
    # 0.596 / 0.603 against 0.600.
    tentative_size_time_s: float = 0.3
    size_time_s: float = 2.0
    measurement_weight: float = 0.5  # reported box: detection (1) .. filtered state (0)
    coast_velocity_decay: float = 0.9  # per missed frame: stopped targets stay put
    new_track_confidence: float = 0.5  # weaker detections only continue tracks ...
    # ... except those at least this confident (not warm blobs), which may start a
    # track that is confirmed only after ``weak_init_s`` of detections: with a model,
    # a big mover it does not recognise (a boat seen from above) is still followed.
    weak_start_confidence: float = 0.3
    weak_init_s: float = 1.0
    fragment_margin: float = 0.1  # pieces this share of the size outside a track still join it
    fragment_min_fill: float = 0.2  # joined pieces must cover this share of their box
    # A box the window refiner found at least this hot is a whole target: it joins no
    # track as a piece, and a track matched to it joins none (0: off). A walker of a
    # group the model draws on his own otherwise joins his neighbour's track as a
    # piece, and the track's box grows over the group and holds it for seconds.
    # With the first thermal model: simulator thermal-night seeds 1-3 / 4-9 / 60-65
    # 0.867 / 0.841 / 0.874 -> 0.947 / 0.878 / 0.935, the thermal sample 0.545 ->
    # 0.861; daylight, fog and rain seeds 1-3 / 4-9 0.610 / 0.596 -> 0.612 / 0.597
    # (0.5: 0.612 / 0.593; 0.7: 0.609 on 1-3; the model's phantoms beside a square
    # mover come at 0.40-0.51). Real
    # clips: person12_1 hit@0.5 0.383 -> 0.373, counter-drone IR hit@0.3 0.897 ->
    # 0.844 (the model finds half the drone, in frames whose box was at IoU 0.30-0.37
    # with the loose ground truth), pets09, boat1, visible drone unchanged.
    found_whole_heat: float = 0.55
    template_rescue: bool = True  # look for a coasting track's template nearby
    template_min_score: float = 0.75


@dataclass(frozen=True, slots=True)
class ClassifierConfig:
    """Coarse class from size, shape, speed and heat when no model decides."""

    person_max_aspect: float = 0.8  # width / height below this looks upright
    vehicle_min_aspect: float = 1.4  # elongated along the image axes
    vehicle_min_area_fraction: float = 0.0004  # of the frame area
    # A tall target that has moved this share of its height from where it started and
    # moves this many times faster sideways than up or down is a person, no vehicle.
    across_min_move: float = 0.5
    across_ratio: float = 1.0
    # A tall target that has shown its heading and whose mean pace since confirmation
    # is under this many of its own lengths a second is a person walking towards or
    # away from an elevated camera: vehicles drive at 0.8-2.7 lengths a second (simulator, 10th to
    # 90th percentile), walkers labelled vehicles by the size rules at 0.15-0.7
    # (simulator and pets09).
    vehicle_min_pace: float = 0.6
    # A target of at least ``vehicle_min_area_fraction`` of the frame that has shown its
    # heading and moves at this many of its own lengths a second or more on average is
    # a vehicle, whatever its shape: walkers keep under 0.75 (simulator, pets09); the
    # vehicles left unknown by the shape rules (squarish boxes of part of a car) drive
    # at 1.6-3.6.
    vehicle_fast_pace: float = 1.2
    # A tall target of vehicle size that has not yet shown its heading (moved
    # ``across_min_move`` of its length) is unknown, not a vehicle: it may as well be a
    # walker seen from a mast, and the overlay's majority label would hold a wrong
    # 'vehicle' for as many frames again (pets09: walkers' track-frames labelled
    # vehicle by that majority 280 -> 45, of 4,042; the simulator unchanged).
    tall_unknown_until_heading: bool = True
    # A target this many times the area of the feed's walkers (the median of at least
    # three tracks seen walking across their length in the last ``walker_memory_s``) is
    # a vehicle: a car driving slowly up the picture is as tall and slow as a walker
    # (0: off). From a mast a near walker stands at most 2-3 times the area of a far
    # one (pets09); a group walking in one box is about as many walkers as it holds.
    not_walker_area_ratio: float = 6.0
    walker_memory_s: float = 10.0
    vote_decay: float = 0.9


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Optional YOLO-style ONNX detector run through cv2.dnn."""

    input_size: int = 416
    score_threshold: float = 0.3
    nms_threshold: float = 0.45
    every_s: float = 0.1  # run the model at most this often (it is slow on a CPU)
    # With a model, motion blobs at least this big (full-frame px) that the model did
    # not confirm get this confidence: they keep tracks alive but start none.
    min_visible_px: float = 24.0
    unseen_confidence: float = 0.3


@dataclass(frozen=True, slots=True)
class AnalysisConfig:
    """All tunables of :class:`dronewatch.analysis.pipeline.FeedAnalyzer`."""

    work_width: int = 640
    camera: CameraMotionConfig = field(default_factory=CameraMotionConfig)
    detector: MotionDetectorConfig = field(default_factory=MotionDetectorConfig)
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    model: ModelConfig = field(default_factory=ModelConfig)

    def with_overrides(self, overrides: dict[str, Any]) -> AnalysisConfig:
        """Return a copy with dotted keys replaced, e.g. ``{"tracker.max_age_s": 2}``."""
        config: Any = self
        for key, value in overrides.items():
            config = _replace_dotted(config, key.split("."), value)
        return config


def _replace_dotted(obj: Any, path: list[str], value: Any) -> Any:
    names = {f.name for f in fields(obj)}
    if path[0] not in names:
        raise KeyError(f"{type(obj).__name__} has no setting {path[0]!r}")
    if len(path) == 1:
        return replace(obj, **{path[0]: value})
    return replace(obj, **{path[0]: _replace_dotted(getattr(obj, path[0]), path[1:], value)})
