"""Who may see which rows. Every read for a user goes through one of these.

A record outside your scope is treated exactly like a missing one (404), and lists and
counts are filtered in SQL, so nothing leaks by number either.
"""
from sqlalchemy import ColumnElement, select, true

from app.models import (
    Activity, Contact, Customer, ExpenseClaim, Lead, Opportunity, SalesOrder, Target, Team,
    User,
)

SEE_ALL = ("manager", "admin")


def owner_scope(user: User, owner_column) -> ColumnElement[bool]:
    """Rows owned by ``user``; a lead also sees members of the teams they lead.

    A lead's scope is one ``owner IN (the lead and their teams' members)``, not
    ``owner = lead OR owner IN (members)``: with an index on (owner, sort key), SQLite then
    reads each owner's range in order and stops at the page's LIMIT, where the OR form
    fetches and sorts every row of the team (100 ms for a team's 9,000 customers).
    """
    if user.role in SEE_ALL:
        return true()
    if user.role == "lead":
        led_teams = select(Team.id).where(Team.lead_id == user.id)
        owners = select(User.id).where((User.id == user.id) | User.team_id.in_(led_teams))
        return owner_column.in_(owners)
    return owner_column == user.id


def can_assign_to(actor: User, owner: User, owner_team: Team | None) -> bool:
    """Whether ``actor`` may give a record to ``owner``: themselves; a lead, their teams'
    members; managers and admins, anyone active."""
    if owner.id == actor.id or actor.role in SEE_ALL:
        return True
    return actor.role == "lead" and owner_team is not None and owner_team.lead_id == actor.id


def visible_customers(query, user: User):
    return query.where(Customer.deleted_at.is_(None), owner_scope(user, Customer.owner_id))


def visible_customer_ids(user: User):
    return visible_customers(select(Customer.id), user)


def visible_contacts(query, user: User):
    return query.where(
        Contact.deleted_at.is_(None), Contact.customer_id.in_(visible_customer_ids(user))
    )


def visible_activities(query, user: User):
    """Your activities (a lead: the team's), and any activity on a customer you can see."""
    scope = owner_scope(user, Activity.owner_id)
    if user.role not in SEE_ALL:
        scope = scope | Activity.customer_id.in_(visible_customer_ids(user))
    return query.where(Activity.deleted_at.is_(None), scope)


# Expense claims: finance reviews every claim, a cashier pays the approved ones.
SEE_ALL_CLAIMS = ("manager", "admin", "finance")


def visible_expense_claims(query, user: User):
    """Your claims; a lead, the claims of the teams they lead; managers, finance and admins,
    every claim; a cashier, the approved and paid ones. A draft never submitted is private
    to its submitter."""
    claim = ExpenseClaim
    if user.role in SEE_ALL_CLAIMS:
        scope = true()
    elif user.role == "cashier":
        scope = (claim.owner_id == user.id) | claim.status.in_(("approved", "paid"))
    else:
        scope = owner_scope(user, claim.owner_id)
    return query.where(claim.deleted_at.is_(None), scope,
                       (claim.owner_id == user.id) | (claim.round > 0))


def visible_leads(query, user: User):
    """The pool (open, unowned) plus the leads you own (a lead: the team's too)."""
    pool = Lead.owner_id.is_(None) & (Lead.status == "open")
    if user.role in SEE_ALL:
        return query
    return query.where(pool | owner_scope(user, Lead.owner_id))


def visible_opportunities(query, user: User):
    return query.where(owner_scope(user, Opportunity.owner_id))


# Finance sees every order (it records payments); others as they see deals.
ORDER_ROLES = SEE_ALL + ("finance",)


def visible_orders(query, user: User):
    if user.role in ORDER_ROLES:
        return query
    return query.where(owner_scope(user, SalesOrder.owner_id))


def led_team_ids(user: User):
    return select(Team.id).where(Team.lead_id == user.id)


def visible_targets(query, user: User):
    """Your own targets; a lead, also those of the teams they lead and of their members;
    managers and admins, every target."""
    if user.role in SEE_ALL:
        return query
    scope = owner_scope(user, Target.owner_id)
    if user.role == "lead":
        scope = scope | Target.team_id.in_(led_team_ids(user))
    return query.where(scope)
