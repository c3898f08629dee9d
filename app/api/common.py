"""Pieces every resource uses: base schema, list arguments and envelope, ETag/If-Match."""
import decimal
from datetime import date, datetime, timezone
import re

from flask import jsonify, request
from flask_smorest import abort
from marshmallow import Schema, ValidationError, fields

from app.api import validate
from app.services.records import MONEY_MAX

# "3", W/"3", 3, and the forms a compressing layer derives from "3": Flask-Compress's
# "3:br" / "3:gzip", Apache's "3-gzip", our shell's "3-br" / "3-gz" (a weak W/"3" is what
# nginx makes of it). One version only: a list of ETags is not a record version.
_IF_MATCH = re.compile(
    r'^\s*(?:W/)?"?(\d{1,9})(?:[:-](?:br|gzip|gz|deflate|zstd))?"?\s*$', re.IGNORECASE)


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


FULL_FIELDS = "full"


class FieldsArgs(StrictSchema):
    """``?fields=full``: a list's items as full records (integrations) instead of slim rows."""

    # Not named ``fields``: that is a Schema attribute (and the marshmallow module here).
    detail = fields.String(data_key="fields", load_default=None,
                           validate=validate.OneOf([FULL_FIELDS]), metadata={"description": (
                               "`full`: every item as a full record, the fields the "
                               "single-record GET returns; without it: slim list items, "
                               "only what a list row and the offline store need.")})


def slim(name: str, full_schema, names: tuple[str, ...], title: str):
    """A list-item schema called ``name``: ``full_schema`` cut down to ``names``."""
    meta = type("Meta", (), {"fields": names, "description": (
        f"{title}: a slim list item, what a list row and the offline store need. With "
        f"`?fields=full` each item is instead the full record: every field the "
        f"single-record GET returns except its embedded lists.")})
    return type(name, (full_schema,), {"Meta": meta})


def list_page(args: dict, full_schema, items, next_cursor):
    """The page for a slim list's response schema, or (``?fields=full``) the full items,
    serialised here with ``full_schema`` (flask-smorest passes a Response through)."""
    if args.get("detail") == FULL_FIELDS:
        return jsonify(page(full_schema(many=True).dump(items), next_cursor))
    return page(items, next_cursor)


def parse_if_match(header: str | None) -> int | None:
    """The record version an ``If-Match`` value names; None when absent or ``*``.

    Accepts whatever ETag we hand out, compressed or weakened on the way (see _IF_MATCH).
    Raises ValueError for anything else.
    """
    if header is None or header.strip() == "*":
        return None
    match = _IF_MATCH.match(header)
    if match is None:
        raise ValueError(header)
    return int(match.group(1))


def if_match_version() -> int | None:
    """The version in this request's ``If-Match``, or None when absent (last writer wins)."""
    try:
        return parse_if_match(request.headers.get("If-Match"))
    except ValueError:
        abort(400, message='If-Match must be a record version, like "3".')


def etag(record) -> dict:
    return {"ETag": f'"{record.version}"'}



# Far enough for any real use, and far enough from year 1 and 9999 that converting to UTC
# or to a user's timezone (and adding days for a period) never overflows: 422, not 500.
TIME_RANGE = validate.Range(datetime(1900, 1, 1, tzinfo=timezone.utc),
                            datetime(9000, 1, 1, tzinfo=timezone.utc))
DAY_RANGE = validate.Range(date(1900, 1, 1), date(9000, 1, 1))
_MONEY_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"


class Money(fields.Decimal):
    """Money as the contract has it: a decimal string with two places (``"1250.00"``).

    Strings and whole numbers are accepted; a float never is (``0.1`` is not what was
    meant), nor more than two decimal places (nothing is silently rounded away). Between
    ``minimum`` (default 0) and 9,999,999,999.99.
    """

    default_error_messages = {
        "float": 'Send money as a string, like "12.50".',
        "places": "At most two decimal places.",
    }

    def __init__(self, minimum=decimal.Decimal(0), **kwargs):
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"type": "string", "format": "decimal", "pattern": _MONEY_PATTERN,
                              "example": "1250.00", **kwargs["metadata"]}
        super().__init__(places=2, rounding=decimal.ROUND_HALF_UP, as_string=True, **kwargs)
        # Checked here rather than as a validator, so the OpenAPI document keeps
        # "type: string" (a Range validator would document numeric bounds).
        self._range = validate.Range(decimal.Decimal(minimum), MONEY_MAX)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float):
            raise self.make_error("float")
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.make_error("invalid")
        try:
            exact = decimal.Decimal(value.strip() if isinstance(value, str) else value)
        except decimal.InvalidOperation:
            raise self.make_error("invalid") from None
        if exact.is_finite() and exact.as_tuple().exponent < -2 \
                and exact != exact.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_DOWN):
            raise self.make_error("places")
        if exact.is_finite() and exact.adjusted() > 12:  # 1e999999: too big to quantize
            raise ValidationError(self._range._format_error(exact, self._range.message_all))
        return self._range(super()._deserialize(value, attr, data, **kwargs))
