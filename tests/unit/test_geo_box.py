"""The bounding box of near me: every point inside the circle is inside the box, anywhere
on Earth (the 180th meridian, the poles), and the box is not much bigger than it must be."""
import math
import random

import pytest

from app.services.activities import distance_m
from app.services.customer_geo import EARTH_RADIUS_M, Box, bounding_box


def _inside(box: Box, lat: float, lng: float) -> bool:
    return box.south <= lat <= box.north and (
        not box.lngs or any(w <= lng <= e for w, e in box.lngs))


def _destination(lat, lng, metres, bearing):
    """The point ``metres`` from (lat, lng) along ``bearing`` on the sphere, lng in
    [-180, 180]."""
    d, p1, l1 = metres / EARTH_RADIUS_M, math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(p1),
                         math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


@pytest.mark.parametrize("lat, lng", [
    (31.2304, 121.4737), (0, 0), (0, 179.99), (0, -179.99), (60, 179.9), (-45, -179.95),
    (89.7, 10), (-89.8, -170), (89.99, 180), (-90, 0), (90, 0), (78.2, 15.6)])
@pytest.mark.parametrize("radius_m", [1, 1000, 20_000, 50_000])
def test_every_point_of_the_circle_is_in_the_box(lat, lng, radius_m):
    box = bounding_box(lat, lng, radius_m)
    rng = random.Random(f"{lat},{lng},{radius_m}")
    for _ in range(400):
        metres = radius_m * math.sqrt(rng.random()) if rng.random() < 0.5 else radius_m
        there = _destination(lat, lng, metres, rng.uniform(0, 2 * math.pi))
        assert distance_m(lat, lng, *there) <= radius_m + 1
        assert _inside(box, *there), (there, box)


def test_the_box_is_tight_away_from_the_poles():
    box = bounding_box(31.2304, 121.4737, 5000)
    (west, east), = box.lngs
    assert 5000 <= distance_m(31.2304, 121.4737, box.north, 121.4737) <= 5001
    # its widest point is the circle's: the box is no wider than the circle plus a few cm
    assert distance_m(31.2304, west, 31.2304, east) < 2 * 5000 * 1.001


def test_it_splits_at_the_180th_meridian_and_opens_at_a_pole():
    assert len(bounding_box(0, 179.99, 5000).lngs) == 2
    assert len(bounding_box(0, -179.99, 5000).lngs) == 2
    assert bounding_box(89.99, 0, 5000).lngs == ()
    assert bounding_box(-90, 0, 1).north < -89.99
