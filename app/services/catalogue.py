"""The product catalogue: products, their price tiers, and what a line costs."""
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, select

from app.extensions import db
from app.models import PriceTier, Product, User
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.errors import Forbidden, Invalid, NotFound
from app.services.pagination import keyset_page
from app.services.records import apply_changes, check_version, find_replay, money, new_id

HUNDRED = Decimal(100)
CATALOGUE_ROLES = ("manager", "admin")


def line_total(quantity: Decimal, unit_price: Decimal, discount_pct: Decimal) -> Decimal:
    """quantity x unit price less the discount, rounded once at the end."""
    return money(Decimal(quantity) * Decimal(unit_price) * (HUNDRED - Decimal(discount_pct))
                 / HUNDRED)


def tier_price(product: Product, tiers: list[PriceTier], quantity: Decimal) -> Decimal:
    """The unit price for ``quantity``: the tier with the largest ``min_qty`` reached."""
    reached = [t for t in tiers if t.min_qty <= quantity]
    if not reached:
        return product.unit_price
    return max(reached, key=lambda t: t.min_qty).unit_price


def _require_catalogue(actor: User) -> None:
    if actor.role not in CATALOGUE_ROLES:
        raise Forbidden("Only a manager or an administrator can change products.")


def tiers_of(product_ids) -> dict:
    """{product_id: [tiers by min_qty]} in one query."""
    result = {pid: [] for pid in product_ids}
    if not result:
        return result
    for tier in db.session.scalars(select(PriceTier).where(PriceTier.product_id.in_(result))
                                   .order_by(PriceTier.min_qty)):
        result[tier.product_id].append(tier)
    return result


@dataclass(frozen=True)
class TierRead:
    min_qty: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class ProductRead:
    """A product as the API shows it: its columns and its price tiers by quantity."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    sku: str
    name: str
    unit_price: Decimal
    currency: str
    active: bool
    price_tiers: list[TierRead]


def product_reads(products) -> list[ProductRead]:
    """The read models of ``products``, their tiers in one query."""
    tiers = tiers_of([p.id for p in products])
    return [ProductRead(
        id=p.id, version=p.version, created_at=p.created_at, updated_at=p.updated_at,
        sku=p.sku, name=p.name, unit_price=p.unit_price, currency=p.currency, active=p.active,
        price_tiers=[TierRead(t.min_qty, t.unit_price) for t in tiers[p.id]])
        for p in products]


def _set_tiers(product: Product, tiers: list[dict]) -> None:
    quantities = [tier["min_qty"] for tier in tiers]
    if len(set(quantities)) != len(quantities):
        raise Invalid({"price_tiers": ["Each minimum quantity only once."]})
    db.session.execute(delete(PriceTier).where(PriceTier.product_id == product.id))
    for tier in tiers:
        db.session.add(PriceTier(id=uuid.uuid4(), product_id=product.id,
                                 min_qty=tier["min_qty"], unit_price=tier["unit_price"]))


def list_products(q: str | None, limit: int, cursor: str | None):
    query = select(Product)
    if q and q.strip():
        term = q.strip()
        query = query.where(Product.name.icontains(term, autoescape=True)
                            | Product.sku.icontains(term, autoescape=True))
    rows, next_cursor = keyset_page(query, (Product.name, Product.id), limit, cursor)
    return product_reads(list(rows)), next_cursor


def find_product(product_id: uuid.UUID) -> Product:
    """The product to change (a read: ``get_product``)."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound("Product not found.")
    return product


def get_product(product_id: uuid.UUID) -> ProductRead:
    return product_reads([find_product(product_id)])[0]


def create_product(actor: User, data: dict) -> tuple[ProductRead, bool]:
    _require_catalogue(actor)
    existing = find_replay(Product, data.get("id"), lambda p: True)
    if existing is not None:
        return product_reads([existing])[0], False
    if db.session.scalar(select(Product.id).where(Product.sku == data["sku"])) is not None:
        raise Invalid({"sku": ["Already in use."]})
    product = Product(id=new_id(data.get("id")), sku=data["sku"], name=data["name"],
                      unit_price=data["unit_price"], currency=data.get("currency") or "CNY",
                      active=data.get("active", True), version=1)
    db.session.add(product)
    db.session.flush()
    _set_tiers(product, data.get("price_tiers") or [])
    db.session.flush()
    return product_reads([product])[0], True


def update_product(actor: User, product: Product, data: dict,
                   expected_version=None) -> ProductRead:
    _require_catalogue(actor)
    check_version(product, expected_version)
    if "sku" in data and data["sku"] != product.sku and db.session.scalar(
            select(Product.id).where(Product.sku == data["sku"])) is not None:
        raise Invalid({"sku": ["Already in use."]})
    changes = apply_changes(product, data, ("sku", "name", "unit_price", "currency", "active"))
    if "price_tiers" in data:
        _set_tiers(product, data["price_tiers"])
        product.updated_at = utcnow()  # a new version of the product, tiers and all
    if changes or "price_tiers" in data:
        record_audit(actor, "product", product.id, "changed", changes)
        db.session.flush()
    return product_reads([product])[0]
