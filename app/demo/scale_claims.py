"""A scale block's expense claims, routed through the approval chain as the service would."""
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace


from app.models import ExpenseClaim, ExpenseItem, ExpenseStep, User
from app.demo.common import TZ
from app.services.claim_approvals import BELOW_THRESHOLD
from app.services.claims import flag_items
from app.services.records import money
from app.demo.scale_context import (
    BlockCustomer, BLANKS, CLAIMS_PER_BLOCK, CLAIM_AMOUNTS, CLAIM_TITLES, CURRENCY,
    REJECT_REASONS, YEARS,
)


class ClaimRows:
    """The expense-claim rows of a ``Block`` (a mixin, like ``DealRows``)."""

    # -- expense claims --

    def claims(self, customers: list["BlockCustomer"]):
        rng, c = self.rng, self.c
        stops = ("draft", "draft", "rejected", "lead", "manager", "finance", "approved",
                 "approved") + ("paid",) * 12
        for n in range(CLAIMS_PER_BLOCK):
            stop = stops[n % len(stops)]
            owner = c.reps[(self.b * CLAIMS_PER_BLOCK + n) % len(c.reps)]
            team = c.team_of[owner.id]
            lead = c.lead_of_team[team]
            city = c.teams[team]["city"]
            recent = stop in ("draft", "rejected", "lead", "manager", "finance", "approved")
            created = self.now - timedelta(days=rng.uniform(1, 20)) if recent else \
                self.past(self.now - timedelta(days=YEARS * 365), self.now - timedelta(days=25))
            claim_id = self.new_id()
            zh, en = rng.choice(CLAIM_TITLES)
            title = (zh if rng.random() < 0.5 else en).format(zh=city.zh, en=city.name)
            mine = [x.row for x in customers if x.owner.id == owner.id]
            items = []
            for position in range(rng.randint(1, 3)):
                category = "lodging" if stop == "manager" else rng.choice(tuple(CLAIM_AMOUNTS))
                low, high = CLAIM_AMOUNTS[category]
                amount = money(Decimal(rng.uniform(low, high)))
                if stop == "manager":
                    amount = money(c.threshold + Decimal(rng.uniform(100, 800)))
                items.append(SimpleNamespace(**{
                    **BLANKS[ExpenseItem], "id": self.new_id(), "claim_id": claim_id,
                    "position": position, "category": category, "amount": amount,
                    "currency": CURRENCY,
                    "spent_on": (created - timedelta(days=rng.randint(0, 5))).astimezone(TZ)
                    .date(),
                    "customer_id": rng.choice(mine)["id"] if mine and rng.random() < 0.5
                    else None}))
            flagged = flag_items(items, c.limits)
            total = money(sum((item.amount for item in items), Decimal(0)))
            for item in items:
                self.add(ExpenseItem, **vars(item))
            claim = self.add(ExpenseClaim, id=claim_id, owner_id=owner.id, title=title,
                             currency=CURRENCY, total=total, status="draft", round=0,
                             flagged=flagged, version=1, created_at=created,
                             updated_at=created)
            if stop != "draft":
                self.route(claim, stop, owner, lead, created)

    def route(self, claim: dict, stop: str, owner: User, lead: User, created: datetime):
        """Submit and take the claim along the chain up to ``stop``, writing the history the
        service writes (submitted, approved or skipped, rejected, paid)."""
        rng, c = self.rng, self.c
        claim["round"], at, seq = 1, created + timedelta(hours=rng.uniform(1, 30)), 0
        claim["submitted_at"] = min(at, self.now)

        def step(name, action, actor, comment=None):
            nonlocal at, seq
            seq += 1
            at = min(at + timedelta(hours=rng.uniform(0.1, 40)), self.now)
            self.add(ExpenseStep, id=self.new_id(), claim_id=claim["id"], round=1, step=name,
                     action=action, actor_id=actor.id if actor else None, comment=comment,
                     created_at=at, seq=seq)

        step("submit", "submitted", owner)
        claim["status"] = "pending"
        for name in ("lead", "manager", "finance"):
            if name == "manager" and claim["total"] <= c.threshold:
                step("manager", "skipped", None, BELOW_THRESHOLD)
                continue
            if stop == name:
                claim["step"] = name
                claim["approver_id"] = lead.id if name == "lead" else None
                claim["updated_at"] = at
                return
            if stop == "rejected":
                reason = rng.choice(REJECT_REASONS)
                step("lead", "rejected", lead, reason)
                claim.update(status="draft", rejected_reason=reason, updated_at=at)
                return
            step(name, "approved", {"lead": lead, "manager": c.manager,
                                    "finance": c.finance}[name])
        claim.update(status="approved", approved_at=at, updated_at=at)
        if stop == "paid":
            step("pay", "paid", c.cashier, f"BANK-{claim['id'].hex[:8]}")
            claim.update(status="paid", paid_at=at, paid_by_id=c.cashier.id,
                         payment_reference=f"BANK-{claim['id'].hex[:8]}", updated_at=at)
