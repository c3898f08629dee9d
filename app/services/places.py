"""A user's saved points (home, office) that a day plan starts or ends at."""
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import SavedPlace, User
from app.models.plans import PLACE_KINDS
from app.services.errors import Invalid


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float
    label: str | None


def saved_places(user: User) -> dict[str, Point | None]:
    rows = db.session.scalars(select(SavedPlace).where(SavedPlace.user_id == user.id))
    places = {row.kind: Point(row.lat, row.lng, row.label) for row in rows}
    return {kind: places.get(kind) for kind in PLACE_KINDS}


def update_saved_places(user: User, data: dict) -> dict[str, Point | None]:
    """Set (a point) or clear (None) the user's home and office; kinds not sent stay."""
    for kind, point in data.items():
        row = db.session.get(SavedPlace, (user.id, kind))
        if point is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(SavedPlace(user_id=user.id, kind=kind, lat=point["lat"],
                                      lng=point["lng"], label=point.get("label")))
        else:
            row.lat, row.lng, row.label = point["lat"], point["lng"], point.get("label")
    db.session.flush()
    return saved_places(user)


def resolve_point(owner: User, point: dict | None, field: str) -> Point | None:
    """A point as sent, or the owner's saved one for ``{"place": "home"}``."""
    if point is None:
        return None
    if "place" not in point:
        return Point(point["lat"], point["lng"], point.get("label"))
    saved = db.session.get(SavedPlace, (owner.id, point["place"]))
    if saved is None:
        raise Invalid({field: {"place": ["No point of this kind is saved."]}})
    return Point(saved.lat, saved.lng, saved.label)
