"""Customers near a point ("near me"): in the user's scope, inside a radius, nearest first.

The rows read are those of a bounding box around the circle, from a B-tree index that
matches the scope: (owner_id, lat, lng, id) for a rep or a team lead, (lat, lng, id) for a
manager, both partial on placed, undeleted customers. The index is read as one range of
latitudes with the longitudes filtered in the index, so the cost follows the customers in
that band of the map, never the company's size. The database orders the box's rows by
haversine distance and returns a page; the page's rows are then read by key with their
owner and RFM, and their open follow-ups counted in one grouped statement.

Where customers are dense (thousands inside 5 km of a city centre) the box of the whole
radius holds far more rows than a page of five needs, so a first statement looks for a
smaller circle that surely holds a page: it counts, at most ``limit`` each, the visible
customers in a square inscribed in circles of 1/64, 1/16 and 1/4 of the radius. The first
that is full bounds the search: the nearest ``limit`` customers are inside it, so the answer
is the same as over the whole radius, from a box of tens of rows instead of thousands.
"""
import math
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Activity, Customer, User
from app.services.activities import distance_m
from app.services.customers import CustomerWithRfm, _rows_with_rfm, _with_rfm
from app.services.scoping import visible_customers

EARTH_RADIUS_M = 6_371_000  # as activities.distance_m
MAX_RADIUS_M = 50_000
MAX_NEAR = 200
# A box a little wider than the circle, so float rounding never drops a point on its edge.
EDGE_DEGREES = 1e-6
# The smaller circles tried before the whole radius, as fractions of it.
PROBE_FRACTIONS = (1 / 64, 1 / 16, 1 / 4)


@dataclass(frozen=True)
class Box:
    """Latitudes ``south..north`` and, in ``lngs``, one or two longitude ranges (two when the
    box crosses the 180th meridian; none when it holds a pole: every longitude)."""

    south: float
    north: float
    lngs: tuple[tuple[float, float], ...]


def bounding_box(lat: float, lng: float, radius_m: float) -> Box:
    """The smallest latitude/longitude box around the circle of ``radius_m`` around a point.

    The longitude half-width is asin(sin(r) / cos(lat)) for the angular radius r: the
    circle's widest point is nearer the pole than its centre, so it is wider than r /
    cos(lat). A circle reaching a pole spans every longitude.
    """
    angular = radius_m / EARTH_RADIUS_M
    half_height = math.degrees(angular) + EDGE_DEGREES
    south, north = lat - half_height, lat + half_height
    if south <= -90 or north >= 90:
        return Box(max(south, -90.0), min(north, 90.0), ())
    half_width = math.degrees(math.asin(math.sin(angular) / math.cos(math.radians(lat))))
    west, east = lng - half_width - EDGE_DEGREES, lng + half_width + EDGE_DEGREES
    if east - west >= 360:
        return Box(south, north, ())
    if west < -180:
        return Box(south, north, ((west + 360, 180.0), (-180.0, east)))
    if east > 180:
        return Box(south, north, ((west, 180.0), (-180.0, east - 360)))
    return Box(south, north, ((west, east),))


def inscribed_square(lat: float, lng: float, radius_m: float) -> Box | None:
    """A latitude/longitude box whose every point is within ``radius_m`` of the point (its
    corners checked by haversine), or None near a pole or the 180th meridian, where the
    probe is not worth its special cases."""
    half = radius_m / math.sqrt(2) * 0.99 / EARTH_RADIUS_M
    half_height = math.degrees(half)
    south, north = lat - half_height, lat + half_height
    if south <= -89 or north >= 89:
        return None
    # The box is widest in metres at its edge nearer the equator.
    widest = max(math.cos(math.radians(south)), math.cos(math.radians(north)))
    half_width = math.degrees(half / widest)
    west, east = lng - half_width, lng + half_width
    if west < -180 or east > 180:
        return None
    corners = ((south, west), (south, east), (north, west), (north, east))
    if any(distance_m(lat, lng, c_lat, c_lng) >= radius_m for c_lat, c_lng in corners):
        return None
    return Box(south, north, ((west, east),))


def search_radius(actor: User, lat: float, lng: float, radius_m: int, limit: int) -> float:
    """The smallest of the probe circles that surely holds ``limit`` customers ``actor`` can
    see (its inscribed square does), else ``radius_m``. One statement; each count stops at
    ``limit`` rows of an index range."""
    squares = [(radius_m * fraction, inscribed_square(lat, lng, radius_m * fraction))
               for fraction in PROBE_FRACTIONS]
    squares = [(radius, square) for radius, square in squares if square is not None]
    if not squares:
        return radius_m
    counts = db.session.execute(select(*(
        select(func.count()).select_from(
            visible_customers(select(Customer.id), actor)
            .where(Customer.lat.is_not(None), Customer.lng.is_not(None), _in_box(square))
            .limit(limit).subquery())
        .scalar_subquery()
        for _, square in squares))).one()
    return next((radius for (radius, _), count in zip(squares, counts, strict=True)
                 if count >= limit), radius_m)


def _in_box(box: Box):
    lat_range = Customer.lat.between(box.south, box.north)
    if not box.lngs:
        return lat_range
    return and_(lat_range, or_(*(Customer.lng.between(w, e) for w, e in box.lngs)))


def _distance_sql(lat: float, lng: float):
    """Haversine metres from (lat, lng) to the customer, in SQL (SQLite's math functions,
    PostgreSQL's own): the order of the page; ``distance_m`` is then computed exactly as
    for visits."""
    half_dlat = func.radians(Customer.lat - lat) / 2
    half_dlng = func.radians(Customer.lng - lng) / 2
    a = (func.sin(half_dlat) * func.sin(half_dlat)
         + math.cos(math.radians(lat)) * func.cos(func.radians(Customer.lat))
         * func.sin(half_dlng) * func.sin(half_dlng))
    return 2 * EARTH_RADIUS_M * func.asin(func.sqrt(a))


@dataclass(frozen=True)
class NearCustomer(CustomerWithRfm):
    distance_m: int
    open_followups: int


def customers_near(actor: User, lat: float, lng: float, radius_m: int,
                   limit: int) -> list[NearCustomer]:
    """The customers ``actor`` can see within ``radius_m`` of (lat, lng), nearest first
    (ties by id), at most ``limit``. Three statements (two when none is near)."""
    distance = _distance_sql(lat, lng)
    searched_m = search_radius(actor, lat, lng, radius_m, limit)
    nearest = (
        visible_customers(select(Customer.id, distance.label("distance")), actor)
        .where(Customer.lat.is_not(None), Customer.lng.is_not(None),
               _in_box(bounding_box(lat, lng, searched_m)))
        .order_by(distance, Customer.id)
        .limit(limit)
        .subquery()
    )
    rows = db.session.execute(_with_rfm(
        select(Customer, User.name)
        .join(nearest, nearest.c.id == Customer.id)
        .outerjoin(User, User.id == Customer.owner_id)
        .order_by(nearest.c.distance, Customer.id)
    )).all()
    # The box's corners are outside the circle: the database ordered them last.
    placed = [(customer, distance_m(lat, lng, customer.lat, customer.lng))
              for customer in _rows_with_rfm(rows)]
    placed = [(customer, metres) for customer, metres in placed if metres <= radius_m]
    counts = open_followup_counts([customer.id for customer, _ in placed])
    return [NearCustomer(**vars(customer), distance_m=metres,
                         open_followups=counts.get(customer.id, 0))
            for customer, metres in placed]


def open_followup_counts(customer_ids: list) -> dict:
    """{customer id: open follow-ups} for a page of customers, from the partial index of
    open follow-ups by customer; customers with none are absent."""
    if not customer_ids:
        return {}
    return dict(db.session.execute(
        select(Activity.customer_id, func.count())
        .where(Activity.customer_id.in_(customer_ids), Activity.due_at.is_not(None),
               Activity.done_at.is_(None), Activity.deleted_at.is_(None))
        .group_by(Activity.customer_id)
    ).all())
