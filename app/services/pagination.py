"""Keyset pagination: the cursor holds the last row's sort key, so page 1000 costs what
page 1 costs (an index range scan, no OFFSET)."""
import base64
import binascii
import json
import uuid
from datetime import date, datetime, timezone

from sqlalchemy import literal, select, tuple_, union_all

from app.extensions import db
from app.services.errors import Invalid


def _encode_value(value):
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode_value(value):
    if isinstance(value, dict) and "u" in value:
        return uuid.UUID(value["u"])
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "d" in value:
        return date.fromisoformat(value["d"])
    return value


def encode_cursor(values) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, columns) -> list:
    """The sort key in a cursor, checked against the columns' Python types."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError
        values = [_decode_value(v) for v in values]
        for value, column in zip(values, columns, strict=True):
            # through a TypeDecorator (UTCDateTime) to what it stores: its own type says object
            expected = getattr(column.type, "impl_instance", column.type).python_type
            if value is not None and not isinstance(value, expected):
                raise ValueError
            if expected is date and isinstance(value, datetime):  # a datetime is a date too
                raise ValueError
            if isinstance(value, datetime) and value.tzinfo is None:
                raise ValueError
            if isinstance(value, datetime):
                value.astimezone(timezone.utc)  # year 1 or 9999 with an offset: OverflowError
            if isinstance(value, str) and "\x00" in value:  # no column can hold it (PostgreSQL)
                raise ValueError
        return values
    except (ValueError, TypeError, AttributeError, OverflowError, binascii.Error,
            UnicodeDecodeError, NotImplementedError):
        raise Invalid({"query": {"cursor": ["Not a valid cursor."]}}) from None


def _ordered_page(query, sort_columns, limit: int, cursor: str | None, descending: bool):
    """``query`` after the cursor's row, in ``sort_columns`` order, one row more than a page."""
    key = tuple_(*sort_columns)
    if cursor:
        values = decode_cursor(cursor, sort_columns)
        pairs = zip(values, sort_columns, strict=True)
        after = tuple_(*(literal(v, type_=c.type) for v, c in pairs))
        query = query.where(key < after if descending else key > after)
    order = [c.desc() for c in sort_columns] if descending else list(sort_columns)
    return query.order_by(*order).limit(limit + 1)


def _matches_first(part, sort_columns, limit: int, cursor: str | None, descending: bool):
    """The page of ``part`` from all its rows: computed in full (OFFSET 0 keeps either
    planner from flattening it into the outer ORDER BY ... LIMIT), then ordered."""
    keys = [c.label(f"k{i}") for i, c in enumerate(sort_columns)]
    rows = part.with_only_columns(*keys).offset(0).subquery()
    columns = [rows.c[key.name] for key in keys]
    return _ordered_page(select(columns[-1]), columns, limit, cursor, descending)


def keyset_page(query, sort_columns, limit: int, cursor: str | None, descending=False,
                among=None, matches_first=False):
    """One page of ``query`` ordered by ``sort_columns`` (the last must be unique).

    Returns ``(items, next_cursor)``; items are entities for a one-entity query, rows
    otherwise (the first element then holds the sort columns).

    ``among``: the ids in scope (a select of the last sort column, e.g. the visible
    customers' ids), or a list of such selects whose union is the scope (each is paged on
    its own, so each reads its own index; an id in several is still one row). The page's
    ids are then chosen first from it alone, and ``query`` (its joins and computed columns,
    not the scope) runs for those rows only, in the same statement. SQLite stops reading
    an (owner, sort key) index at the LIMIT only when no join follows; with one (the
    owner's name, the RFM columns) it reads and sorts every row in scope first.

    ``matches_first``: ``among`` is a search, whose matches are read in full from the text
    index and then sorted, never found by walking the sort key's index and testing each
    row. A planner that walks expects the matches spread evenly along the sort order and
    so to stop early; they are not (names that hold 华联 sort together), and PostgreSQL
    walked half the customers to fill a page.
    """
    if among is not None:
        parts = among if isinstance(among, list) else [among]
        paged = _matches_first if matches_first else _ordered_page
        pages = [paged(part, sort_columns, limit, cursor, descending).subquery()
                 for part in parts]
        page_ids = (select(pages[0].c[0]) if len(pages) == 1 else
                    union_all(*(select(page.c[0]) for page in pages)))
        query = _ordered_page(query.where(sort_columns[-1].in_(page_ids)), sort_columns,
                              limit, None, descending)
    else:
        query = _ordered_page(query, sort_columns, limit, cursor, descending)
    single = len(query.column_descriptions) == 1  # one entity (or column), not its columns
    result = db.session.execute(query)
    items = list(result.scalars() if single else result.all())
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1] if single else items[-1][0]
        next_cursor = encode_cursor([getattr(last, c.key) for c in sort_columns])
    return items, next_cursor
