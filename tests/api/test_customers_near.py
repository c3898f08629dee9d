"""GET /customers/near (issue 13, near me): the customers in your scope inside the radius,
nearest first, each with its distance, open follow-ups and phone; 422 for a bad point,
radius or limit; the same statements however many are near; right at the 180th meridian
and near the poles too."""
from datetime import datetime, timedelta, timezone

import pytest

from app.demo.planner import offset_point
from app.extensions import db
from app.models import Customer
from app.services.activities import distance_m
from app.services.customer_geo import inscribed_square, search_radius
from tests import factories
from tests.api.helpers import API, assert_error, ids

# People's Square, Shanghai
HERE = (31.2304, 121.4737)


def _near(client, lat=HERE[0], lng=HERE[1], **args):
    query = "&".join(f"{k}={v}" for k, v in {"lat": lat, "lng": lng, **args}.items())
    response = client.get(f"{API}/customers/near?{query}")
    assert response.status_code == 200, response.json
    return response.json["items"]


def _at(owner, metres, bearing=0.0, **fields):
    lat, lng = offset_point(*HERE, metres, bearing)
    return factories.make_customer(owner, name=fields.pop("name", f"At {metres} m"), lat=lat,
                                   lng=lng, **fields)


def test_nearest_first_inside_the_radius_with_distance_followups_and_phone(world, client_for):
    rep = world.rep_a1
    far = _at(rep, 6_000, 1.0)
    mid = _at(rep, 2_500, 2.0, phone="021-6234 5678")
    near = _at(rep, 300, 3.0)
    factories.make_customer(rep, name="Nowhere")                       # no position
    deleted = _at(rep, 100, 4.0)
    client = client_for(rep)
    assert client.delete(f"{API}/customers/{deleted.id}").status_code == 204
    factories.make_followup(rep, mid)
    factories.make_followup(rep, mid, due_at=datetime.now(timezone.utc) + timedelta(days=3))
    done = factories.make_followup(rep, near)
    assert client.patch(f"{API}/activities/{done.id}",
                        json={"done_at": datetime.now(timezone.utc).isoformat()}
                        ).status_code == 200

    items = _near(client, radius_m=5000)
    assert ids(items) == [str(near.id), str(mid.id)]
    for item, customer in zip(items, (near, mid), strict=True):
        assert item["distance_m"] == distance_m(*HERE, customer.lat, customer.lng)
    assert [item["open_followups"] for item in items] == [0, 2]
    assert items[1]["phone_e164"] == "+862162345678"
    assert items[1]["owner_name"] == rep.name and items[1]["name"] == mid.name
    assert abs(items[1]["distance_m"] - 2500) < 5
    assert ids(_near(client, radius_m=10_000)) == [str(near.id), str(mid.id), str(far.id)]
    assert ids(_near(client, radius_m=10_000, limit=1)) == [str(near.id)]
    assert _near(client, radius_m=200) == []


def test_the_item_is_the_slim_list_item_plus_distance_followups_and_visit_due(
        world, client_for):
    customer = _at(world.rep_a1, 50)
    client = client_for(world.rep_a1)
    listed = client.get(f"{API}/customers").json["items"][0]
    item = _near(client)[0]
    assert set(item) == set(listed) | {"distance_m", "open_followups", "visit_due_on",
                                       "visit_overdue"}
    assert {k: item[k] for k in listed} == listed
    assert item["id"] == str(customer.id)
    card = client.get(f"{API}/customers/{customer.id}").json
    assert (item["visit_due_on"], item["visit_overdue"]) == (card["visit_due_on"],
                                                              card["visit_overdue"])


def test_scoped_like_the_list(world, client_for):
    mine = _at(world.rep_a1, 100)
    teammate = _at(world.rep_a2, 200)
    other_team = _at(world.rep_b1, 300)
    assert ids(_near(client_for(world.rep_a1))) == [str(mine.id)]
    assert ids(_near(client_for(world.lead_a))) == [str(mine.id), str(teammate.id)]
    assert ids(_near(client_for(world.manager))) == [str(mine.id), str(teammate.id),
                                                     str(other_team.id)]
    assert _near(client_for(world.rep_b1)) == [_near(client_for(world.manager))[2]]


def test_ties_are_ordered_by_id(world, client_for):
    same = [factories.make_customer(world.rep_a1, name=f"Same {i}", lat=31.24, lng=121.48)
            for i in range(3)]
    assert ids(_near(client_for(world.rep_a1))) == sorted(str(c.id) for c in same)


@pytest.mark.parametrize("here, there", [
    ((0.0, 179.999), (0.0, -179.999)),          # across the 180th meridian, eastwards
    ((10.0, -179.995), (10.01, 179.995)),       # and westwards
    ((89.99, 0.0), (89.995, 180.0)),            # over the north pole
    ((-89.995, 45.0), (-89.99, -135.0)),        # and the south pole
    ((-90.0, 0.0), (-89.99, 90.0)),             # standing on it
])
def test_the_box_wraps_the_meridian_and_covers_the_poles(world, client_for, here, there):
    customer = factories.make_customer(world.rep_a1, name="Edge", lat=there[0], lng=there[1])
    factories.make_customer(world.rep_a1, name="Elsewhere", lat=0.0, lng=0.0)
    items = _near(client_for(world.rep_a1), lat=here[0], lng=here[1], radius_m=5000)
    assert ids(items) == [str(customer.id)]
    assert items[0]["distance_m"] == distance_m(*here, *there) <= 5000


@pytest.mark.parametrize("query, field", [
    ("lng=121.47", "lat"), ("lat=31.2", "lng"), ("lat=90.5&lng=121", "lat"),
    ("lat=-91&lng=121", "lat"), ("lat=31&lng=180.01", "lng"), ("lat=31&lng=-181", "lng"),
    ("lat=nan&lng=121", "lat"), ("lat=31&lng=inf", "lng"), ("lat=north&lng=121", "lat"),
    ("lat=31&lng=121&radius_m=0", "radius_m"), ("lat=31&lng=121&radius_m=-5", "radius_m"),
    ("lat=31&lng=121&radius_m=50001", "radius_m"), ("lat=31&lng=121&radius_m=1.5", "radius_m"),
    ("lat=31&lng=121&limit=0", "limit"), ("lat=31&lng=121&limit=201", "limit"),
])
def test_bad_points_radii_and_limits_are_422(world, client_for, query, field):
    response = client_for(world.rep_a1).get(f"{API}/customers/near?{query}")
    assert_error(response, 422, [field], location="query")


def test_the_largest_radius_and_limit_are_fine(world, client_for):
    _at(world.rep_a1, 49_000)
    assert len(_near(client_for(world.rep_a1), radius_m=50_000, limit=200)) == 1


def test_signed_out_is_401(anon):
    assert_error(anon.get(f"{API}/customers/near?lat=31&lng=121"), 401)


def test_statements_do_not_grow_with_the_customers_near(world, client_for, count_queries):
    client = client_for(world.rep_a1)
    one = _at(world.rep_a1, 10)
    factories.make_followup(world.rep_a1, one)
    with count_queries() as few:
        assert len(_near(client)) == 1
    for i in range(30):
        customer = _at(world.rep_a1, 100 + 50 * i, i)
        factories.make_followup(world.rep_a1, customer)
        factories.make_contact(world.rep_a1, customer)
    with count_queries() as many:
        assert len(_near(client)) == 31
    # the session, the probe for a smaller circle, the page (box, distance, owner, RFM), the
    # follow-up counts
    assert few.n == many.n == 4, many.statements
    with count_queries() as none:
        assert _near(client, lat=0, lng=0) == []
    assert none.n == 3


def test_customers_without_a_position_stay_out(world, client_for):
    customer = factories.make_customer(world.rep_a1, name="Pinned later")
    client = client_for(world.rep_a1)
    assert _near(client) == []
    lat, lng = offset_point(*HERE, 700, 1.0)
    assert client.patch(f"{API}/customers/{customer.id}",
                        json={"lat": lat, "lng": lng}).status_code == 200
    assert ids(_near(client)) == [str(customer.id)]
    db.session.rollback()
    assert db.session.get(Customer, customer.id).lat == lat


@pytest.mark.parametrize("lat, lng", [HERE, (0, 0), (-33.9, 18.4), (69.6, 18.9), (1.3, 179.99)])
@pytest.mark.parametrize("radius_m", [100, 1000, 50_000])
def test_the_probe_square_lies_inside_its_circle(lat, lng, radius_m):
    """The square the probe counts in is inside the circle, corners and all (else the
    probe could claim a page that the circle does not hold), or there is none: near a pole
    or the 180th meridian the whole radius is searched."""
    square = inscribed_square(lat, lng, radius_m)
    if lng > 179.9 and radius_m == 50_000:
        assert square is None
        return
    assert square is not None
    (west, east), = square.lngs
    for corner in ((square.south, west), (square.south, east), (square.north, west),
                   (square.north, east)):
        assert distance_m(lat, lng, *corner) < radius_m
    # and not needlessly small: its half-height is most of r / sqrt(2)
    assert distance_m(lat, lng, square.north, lng) > 0.95 * radius_m / 2 ** 0.5
    assert inscribed_square(89.5, 0, 1000) is None


def test_a_crowded_spot_is_searched_in_a_smaller_circle(world, client_for):
    """Six customers 100-150 m away, and one 4 km away: a page of five comes from a circle of
    a sixteenth of the radius, a page of ten from the whole radius, both nearest first."""
    rep = world.rep_a1
    close = [_at(rep, 100 + 10 * i, i) for i in range(6)]
    far = _at(rep, 4000)
    assert search_radius(rep, *HERE, 5000, 5) == 5000 / 16
    assert search_radius(rep, *HERE, 5000, 10) == 5000
    client = client_for(rep)
    assert ids(_near(client, radius_m=5000, limit=5)) == [str(c.id) for c in close[:5]]
    assert ids(_near(client, radius_m=5000, limit=10)) == [str(c.id) for c in close] + [
        str(far.id)]
