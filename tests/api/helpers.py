"""Assertions and look-ups shared by the API tests."""
import uuid
from http import HTTPStatus

from sqlalchemy import func, select

from app.extensions import db

API = "/api/v1"


def assert_error(response, code: int, fields=(), location: str = "json"):
    """The contract's one error shape: {"code","status","message","errors"?}."""
    assert response.status_code == code, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert isinstance(body, dict), response.get_data(as_text=True)
    assert body["code"] == code
    assert body["status"] == HTTPStatus(code).phrase
    assert isinstance(body.get("message"), str) and body["message"], body
    if fields:
        errors = body["errors"][location]
        for field in fields:
            assert field in errors, (field, errors)
            assert errors[field], errors
    return body


def reload(model, record_id):
    """The row as stored now (ends the test's own transaction so no stale snapshot)."""
    db.session.rollback()
    return db.session.get(model, uuid.UUID(str(record_id)))


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def ids(items) -> list[str]:
    return [item["id"] for item in items]


def walk(client, url: str, limit: int) -> tuple[list[dict], int]:
    """Every item of a paginated list, following next_cursor; returns (items, pages)."""
    items, cursor, pages = [], None, 0
    sep = "&" if "?" in url else "?"
    while True:
        page_url = f"{url}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(page_url)
        assert response.status_code == 200, response.json
        pages += 1
        items += response.json["items"]
        cursor = response.json["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 1000


def stages_by_name(client) -> dict:
    """The pipeline's stages as the API lists them, by name."""
    return {s["name"]: s for s in client.get(f"{API}/stages?limit=200").json["items"]}
