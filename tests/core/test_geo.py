"""Geo-referencing building blocks: the local plane, the homography through a hand-built
footprint, sensor angles, and the flat-earth fallback when corner points are missing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dronewatch.geo import Footprint, LocalPlane, footprint_from_klv, ground_distance_m, homography
from dronewatch.geo.attitude import image_rays, sensor_angles, sensor_to_ned
from dronewatch.geo.footprint import apply_homography, attitude_corners, image_corners


def test_local_plane_round_trip_and_scale() -> None:
    plane = LocalPlane(51.2, -1.8)
    x = np.array([0.0, 250.0, -400.0])
    y = np.array([0.0, -300.0, 120.0])
    lat, lon = plane.to_latlon(x, y)
    back = plane.to_xy(lat, lon)
    assert np.allclose(back, (x, y), atol=1e-6)
    kx, ky = plane.metres_per_degree
    assert ky == pytest.approx(111_258, abs=30)  # WGS 84 meridian degree at 51.2 N
    assert kx == pytest.approx(69_890, abs=30)
    assert ground_distance_m(51.2, -1.8, 51.2 + 1000 / ky, -1.8) == pytest.approx(1000.0)


def test_local_plane_across_the_antimeridian() -> None:
    plane = LocalPlane(-17.0, 179.9995)
    _, lon = plane.to_latlon(np.array([200.0]), np.array([0.0]))
    assert -180.0 <= lon[0] < -179.99
    x, _ = plane.to_xy(np.array([-17.0]), lon)
    assert x[0] == pytest.approx(200.0)


def test_homography_maps_the_four_points_and_lines_to_lines() -> None:
    src = np.array([[0, 0], [640, 0], [640, 360], [0, 360]], dtype=float)
    dst = np.array([[-80, 120], [90, 110], [40, -30], [-35, -25]], dtype=float)
    h = homography(src, dst)
    mapped, w = apply_homography(h, src)
    assert np.allclose(mapped, dst) and np.all(w > 0)
    mid, _ = apply_homography(h, np.array([[320.0, 0.0], [0.0, 180.0]]))
    # The image of a point on an edge lies on the ground edge between its corners.
    for p, (a, b) in zip(mid, ((dst[0], dst[1]), (dst[0], dst[3])), strict=True):
        cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
        assert abs(cross) < 1e-6
    with pytest.raises(ValueError, match="degenerate"):
        homography(src, np.array([[0, 0], [1, 1], [2, 2], [3, 3]], dtype=float))


def hand_built_footprint() -> Footprint:
    """A 640x360 frame over a 200 m x 100 m ground rectangle, top of the image north."""
    plane = LocalPlane(45.0, 7.0)
    x = np.array([-100.0, 100.0, 100.0, -100.0])
    y = np.array([50.0, 50.0, -50.0, -50.0])
    lat, lon = plane.to_latlon(x, y)
    return Footprint(0, 0.0, 640, 360, np.column_stack([lat, lon]), (45.0, 7.0), "corners")


def test_hand_built_footprint_maps_pixels_to_lat_lon() -> None:
    fp = hand_built_footprint()
    plane = LocalPlane(45.0, 7.0)
    uv = np.array([[320.0, 180.0], [0.0, 0.0], [480.0, 270.0], [160.0, 360.0]])
    latlon = fp.image_to_latlon(uv)
    x, y = plane.to_xy(latlon[:, 0], latlon[:, 1])
    assert np.allclose(x, [0.0, -100.0, 50.0, -50.0], atol=1e-6)
    assert np.allclose(y, [0.0, 50.0, -25.0, -50.0], atol=1e-6)
    assert fp.ground_size_m() == pytest.approx((200.0, 100.0))


@pytest.mark.parametrize(
    ("heading", "pitch", "roll", "az", "el", "sroll"),
    [(0, 0, 0, 0, -90, 0), (30, 0, 0, 100, -55, 3), (300, 0, 0, 250, -20, 359)],
)
def test_sensor_angles_invert_sensor_to_ned(
    heading: float, pitch: float, roll: float, az: float, el: float, sroll: float
) -> None:
    rot = sensor_to_ned(heading, pitch, roll, az, el, sroll)
    got_az, got_el, got_roll = sensor_angles(rot[:, 1], rot[:, 0])
    if el > -89.9:
        assert (got_az - (heading + az)) % 360 == pytest.approx(0, abs=1e-9)
        assert math.cos(math.radians(got_roll - sroll)) == pytest.approx(1.0)
    assert got_el == pytest.approx(el)
    again = sensor_to_ned(0, 0, 0, got_az, got_el, got_roll)
    assert np.allclose(again, rot, atol=1e-9)


def klv_from_camera(heading: float, el: float, alt: float, ground: float) -> dict[str, object]:
    """A level platform over (45, 7) looking along ``heading`` at elevation ``el``."""
    return {
        "sensor_latitude": 45.0,
        "sensor_longitude": 7.0,
        "sensor_true_altitude": alt,
        "platform_heading_angle": heading,
        "platform_pitch_angle": 0.0,
        "platform_roll_angle": 0.0,
        "sensor_relative_azimuth_angle": 0.0,
        "sensor_relative_elevation_angle": el,
        "sensor_relative_roll_angle": 0.0,
        "sensor_horizontal_fov": 40.0,
        "sensor_vertical_fov": 22.5,
        "frame_center_elevation": ground,
    }


def test_flat_earth_fallback_for_a_nadir_camera() -> None:
    values = klv_from_camera(0.0, -90.0, 300.0, 200.0)  # 100 m up, looking straight down
    fp = footprint_from_klv(values, 0, 0.0, 640, 360)
    assert fp is not None and fp.method == "attitude"
    plane = LocalPlane(45.0, 7.0)
    latlon = fp.image_to_latlon(np.array([[320.0, 180.0], [640.0, 180.0], [320.0, 0.0]]))
    x, y = plane.to_xy(latlon[:, 0], latlon[:, 1])
    half_w = 100 * math.tan(math.radians(20.0))
    half_h = 100 * math.tan(math.radians(11.25))
    # Heading north, looking straight down: the image's top points north, its right east.
    assert np.allclose(x, [0.0, half_w, 0.0], atol=1e-6)
    assert np.allclose(y, [0.0, 0.0, half_h], atol=1e-6)


def test_fallback_with_the_horizon_in_view_refuses_the_sky() -> None:
    values = klv_from_camera(90.0, -8.0, 300.0, 200.0)  # top of the image above the horizon
    found = attitude_corners(values, 640, 360)
    assert found is not None
    pixels, _corners, ground = found
    assert ground == 200.0 and not np.allclose(pixels, image_corners(640, 360))
    fp = footprint_from_klv(values, 0, 0.0, 640, 360)
    assert fp is not None
    sky, below = fp.image_to_latlon(np.array([[320.0, 0.0], [320.0, 300.0]]))
    assert np.all(np.isnan(sky)) and np.all(np.isfinite(below))
    assert np.isnan(fp.ground_corners()[0]).all()  # corner 1 sees sky


def test_corner_points_win_over_attitude_and_offsets_are_used() -> None:
    fp = hand_built_footprint()
    values: dict[str, object] = klv_from_camera(0.0, -90.0, 300.0, 200.0)
    centre_lat, centre_lon = 45.0, 7.0
    values.update(frame_center_latitude=centre_lat, frame_center_longitude=centre_lon)
    for k in range(4):
        values[f"offset_corner_latitude_point_{k + 1}"] = fp.corners[k, 0] - centre_lat
        values[f"offset_corner_longitude_point_{k + 1}"] = fp.corners[k, 1] - centre_lon
    from_offsets = footprint_from_klv(values, 0, 0.0, 640, 360)
    assert from_offsets is not None and from_offsets.method == "corners"
    assert np.allclose(from_offsets.corners, fp.corners)
    assert footprint_from_klv({"sensor_latitude": 1.0}, 0, 0.0, 640, 360) is None


def test_image_rays_span_the_fields_of_view() -> None:
    rays = image_rays(np.array([[0.0, 0.0], [640.0, 360.0]]), 640, 360, 90.0, 60.0)
    assert np.allclose(rays[0], [1.0, -1.0, -math.tan(math.radians(30))])
    assert np.allclose(rays[1], [1.0, 1.0, math.tan(math.radians(30))])
