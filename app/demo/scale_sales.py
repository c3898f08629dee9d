"""A scale block's deals: lines at tier prices, stage history, orders and payments."""
from datetime import datetime, timedelta
from decimal import Decimal


from app.models import Opportunity, OpportunityLine, OrderLine, Payment, SalesOrder, StageHistory
from app.demo.common import TZ
from app.services.catalogue import line_total, tier_price
from app.services.records import money
from app.demo.scale_context import (
    BlockCustomer, BLANKS, CURRENCY, DISCOUNTS, LOST_NOTES, QUANTITIES,
)


class DealRows:
    """The deal-related rows of a ``Block`` (a mixin: it uses the block's generator and rows)."""

    # -- deals, orders, payments --

    def lines(self, opportunity_id) -> list[dict]:
        rng, result = self.rng, []
        for position, product in enumerate(rng.sample(self.c.products, rng.randint(1, 3))):
            quantity = Decimal(rng.choice(QUANTITIES))
            price = tier_price(product, self.c.tiers[product.id], quantity)
            discount = rng.choice(DISCOUNTS)
            result.append(self.add(
                OpportunityLine, id=self.new_id(), opportunity_id=opportunity_id,
                position=position, product_id=product.id, description=product.name,
                quantity=quantity, unit_price=price, price_overridden=False,
                discount_pct=discount, line_total=line_total(quantity, price, discount)))
        return result

    def stages(self, opportunity_id, owner_id, path, start: datetime, end: datetime | None):
        """History rows through ``path`` (stages), the first entered at ``start``; the last
        left open, entered at ``end`` when given. Returns when the last was entered."""
        rng, at = self.rng, start
        for n, stage in enumerate(path):
            if n and end is not None and n == len(path) - 1:
                entered = end
            elif n:
                # 1-25 days on; near the end of the deal's time (or now), part of what is
                # left instead, so no two stays of a deal start at the same moment
                limit = end or self.now
                step = timedelta(days=rng.uniform(1, 25))
                entered = at + step if at + step < limit else at + (limit - at) * rng.uniform(
                    0.3, 0.7)
            else:
                entered = at
            if n:  # the previous stage was left when this one was entered
                self.rows[StageHistory][-1]["left_at"] = entered
            self.add(StageHistory, id=self.new_id(), opportunity_id=opportunity_id,
                     stage_id=stage.id, entered_at=entered, left_at=None, actor_id=owner_id)
            at = entered
        return at

    def deal(self, d: int, holder: "BlockCustomer") -> dict:
        rng, c, owner, customer = self.rng, self.c, holder.owner, holder.row
        kind = ("open", "open", "open", "won", "won", "won", "lost", "lost")[d % 8]
        opportunity_id = self.new_id()
        lines = self.lines(opportunity_id)
        amount = money(sum((line["line_total"] for line in lines), Decimal(0)))
        first = lines[0]
        name = f"{first['description']} × {first['quantity']:g}"
        if kind == "open":
            created = max(customer["created_at"], self.now - timedelta(days=rng.uniform(1, 180)))
            path = c.open_stages[:rng.randint(1, len(c.open_stages))]
            self.stages(opportunity_id, owner.id, path, created, None)
            closed, status = None, "open"
            close_date = c.today + timedelta(days=rng.randint(-10, 120))
        else:
            created = self.past(customer["created_at"], self.now - timedelta(days=30), 1.0)
            closed = min(created + timedelta(days=rng.uniform(5, 90)), self.now)
            path = c.open_stages[:rng.randint(1, len(c.open_stages))]
            path.append(c.won_stage if kind == "won" else c.lost_stage)
            self.stages(opportunity_id, owner.id, path, created, closed)
            status, close_date = kind, closed.astimezone(TZ).date()
        row = self.add(
            Opportunity, id=opportunity_id, customer_id=customer["id"], name=name,
            amount=amount, currency=CURRENCY, stage_id=path[-1].id,
            expected_close_date=close_date, owner_id=owner.id, status=status,
            closed_at=closed, version=1, created_at=created, updated_at=closed or created,
            lost_reason=rng.choice(c.lose_reasons) if kind == "lost" else None,
            lost_note=rng.choice(LOST_NOTES) if kind == "lost" else None)
        if kind == "won":
            self.order(row, lines)
        return row

    def order(self, opportunity: dict, lines: list[dict]):
        rng, c, at = self.rng, self.c, opportunity["closed_at"]
        order_id, total = self.new_id(), opportunity["amount"]
        for line in lines:
            self.add(OrderLine, id=self.new_id(), order_id=order_id, position=line["position"],
                     product_id=line["product_id"], description=line["description"],
                     quantity=line["quantity"], unit_price=line["unit_price"],
                     discount_pct=line["discount_pct"], line_total=line["line_total"])
        how = rng.random()
        parts = [] if how < 0.2 else [money(total / 2)] if how < 0.5 \
            else [total] if how < 0.8 else [money(total / 2), total - money(total / 2)]
        received = at
        for n, part in enumerate(parts):
            received = min(received + timedelta(days=rng.uniform(1, 30)), self.now)
            self.add(Payment, id=self.new_id(), order_id=order_id, amount=part,
                     received_at=received, method="bank_transfer" if rng.random() < 0.85
                     else rng.choice(("cash", "cheque", "card")),
                     reference=f"TT-{self.b:04d}-{order_id.hex[:6]}-{n + 1}",
                     recorded_by=c.finance.id, version=1, created_at=received,
                     updated_at=received)
        paid = sum(parts, Decimal(0))
        self.rows[SalesOrder].append({
            **BLANKS[SalesOrder], "id": order_id, "number": c.order_number(at),
            "customer_id": opportunity["customer_id"], "opportunity_id": opportunity["id"],
            "owner_id": opportunity["owner_id"], "currency": CURRENCY, "total": total,
            "paid": paid, "status": "confirmed" if not parts else
            "paid" if paid >= total else "partially_paid", "ordered_at": at, "version": 1,
            "created_at": at, "updated_at": received})
