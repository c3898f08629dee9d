"""Pieces every resource uses: base schema, list arguments and envelope, ETag/If-Match."""
import re

from flask import request
from flask_smorest import abort
from marshmallow import Schema, fields, validate

_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


class StrictSchema(Schema):
    """Unknown fields are an error (marshmallow's default), listed by name."""


class RecordSchema(StrictSchema):
    id = fields.UUID()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class PageArgs(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


class SearchPageArgs(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=100))


def page_schema(item_schema, name: str):
    """A ``{"items": [...], "next_cursor": ...}`` schema for one resource."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)),
         "next_cursor": fields.String(allow_none=True)},
        name=name,
    )


def page(items, next_cursor) -> dict:
    return {"items": items, "next_cursor": next_cursor}


def if_match_version() -> int | None:
    """The version in ``If-Match: "<version>"``, or None when absent (last writer wins)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = _IF_MATCH.match(header)
    if match is None:
        abort(400, message='If-Match must be a record version, like "3".')
    return int(match.group(1))


def etag(record) -> dict:
    return {"ETag": f'"{record.version}"'}
