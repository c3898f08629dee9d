"""Users, teams, sign-in sessions and integration tokens."""
import hashlib
import secrets
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ApiToken, Team, User, UserSession
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.errors import Conflict, Forbidden, Invalid, NotFound, Text
from app.services.normalize import search_text
from app.services.notifications import reschedule_reminders_of
from app.services.pagination import keyset_page
from app.services.records import apply_changes, check_version, find_replay, new_id

REMINDER_FIELDS = ("reminder_lead_minutes", "quiet_hours_start", "quiet_hours_end")
USER_FIELDS = ("email", "name", "role", "team_id", "timezone", "locale", "active",
               *REMINDER_FIELDS)
SELF_EDITABLE = ("name", "timezone", "locale", *REMINDER_FIELDS)
TEAM_FIELDS = ("name", "lead_id", "parent_id")
MIN_PASSWORD = 8
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("fieldline-dummy-password")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA timezone this machine knows."""
    try:
        ZoneInfo(name)
    # OSError: with the tzdata package installed (pandas, under pyvroom, brings it) a
    # directory of it ("America") is opened as a file and raises IsADirectoryError.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _check_timezone(name: str) -> None:
    if not is_timezone(name):
        raise Invalid(
            {"timezone": ["Unknown timezone; use an IANA name like Asia/Shanghai."]})


def _check_team(team_id) -> None:
    if team_id is not None and db.session.get(Team, team_id) is None:
        raise Invalid({"team_id": ["Unknown team."]})


def _check_email_free(email: str, user_id=None) -> None:
    other = db.session.scalar(select(User.id).where(User.email == email))
    if other is not None and other != user_id:
        raise Conflict("A user with this email already exists.",
                       {"json": {"email": ["Already in use."]}})


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid({"password": [Text("At least {min} characters.", min=MIN_PASSWORD)]})
    user.password_hash = generate_password_hash(password)


def require_admin(actor: User | None) -> None:
    """Only an administrator (or the system itself: ``actor`` None, the CLI and the demo)."""
    if actor is not None and actor.role != "admin":
        raise Forbidden("Only an administrator can do this.")


def create_user(actor: User | None, data: dict) -> tuple[User, bool]:
    require_admin(actor)
    existing = find_replay(User, data.get("id"), lambda u: True)
    if existing is not None:
        return existing, False
    email = data["email"].strip().lower()
    _check_email_free(email)
    _check_timezone(data.get("timezone") or "Asia/Shanghai")
    _check_team(data.get("team_id"))
    user = User(id=new_id(data.get("id")), version=1, active=True, role="rep",
                timezone="Asia/Shanghai", locale="en")
    apply_changes(user, {**data, "email": email}, USER_FIELDS)
    set_password(user, data["password"])
    db.session.add(user)
    db.session.flush()
    record_audit(actor, "user", user.id, "created", {"role": (None, user.role)})
    return user, True


def update_user(actor: User, user: User, data: dict, expected_version=None) -> User:
    """An administrator changes anyone; anyone else only their own SELF_EDITABLE fields."""
    if actor.role != "admin":
        if user.id != actor.id:
            raise Forbidden("Only an administrator can change other users.")
        if set(data) - set(SELF_EDITABLE):
            raise Forbidden("You may change only your name, language, timezone and "
                            "reminder settings.")
    check_version(user, expected_version)
    if "email" in data:
        data = {**data, "email": data["email"].strip().lower()}
        _check_email_free(data["email"], user.id)
    if "timezone" in data:
        _check_timezone(data["timezone"])
    if "team_id" in data:
        _check_team(data["team_id"])
    changes = apply_changes(user, data, USER_FIELDS)
    if data.get("password"):
        set_password(user, data["password"])
        changes["password"] = ("***", "***")
    for field in ("role", "team_id", "active"):
        if field in changes:
            record_audit(actor, "user", user.id, f"{field}_changed", {field: changes[field]})
    if "team_id" in changes:  # the leads of the team they left and of the one they joined
        _scope_changed(select(Team.lead_id).where(Team.id.in_(changes["team_id"])))
    if "role" in changes:
        _scope_changed([user.id])
    if ("active" in changes and not user.active) or "password" in changes:
        end_sessions(user)
    if changes.keys() & {"timezone", *REMINDER_FIELDS}:
        reschedule_reminders_of(user)
    db.session.flush()
    return user


def sees_all_of(actor: User, user: User) -> bool:
    """Whether ``actor`` sees every field of ``user`` (themselves, or as an administrator);
    anyone else sees the colleague fields only."""
    return actor.role == "admin" or user.id == actor.id


def get_user(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


def list_users(actor: User, q: str | None, team_id, limit: int, cursor: str | None):
    """Colleagues by name; only admins (who see emails anyway) may search by email."""
    query = select(User)
    if q and q.strip():
        term = search_text(q)
        matches = User.name.icontains(term, autoescape=True)
        if actor.role == "admin":
            matches = matches | User.email.icontains(term, autoescape=True)
        query = query.where(matches)
    if team_id:
        query = query.where(User.team_id == team_id)
    return keyset_page(query, (User.name, User.id), limit, cursor)


# Teams -------------------------------------------------------------------------------------

def create_team(actor: User | None, data: dict) -> tuple[Team, bool]:
    require_admin(actor)
    existing = find_replay(Team, data.get("id"), lambda t: True)
    if existing is not None:
        return existing, False
    if db.session.scalar(select(Team.id).where(Team.name == data["name"])):
        raise Conflict("A team with this name already exists.")
    team = Team(id=new_id(data.get("id")), version=1)
    apply_changes(team, data, TEAM_FIELDS)
    _check_team_links(team)
    db.session.add(team)
    db.session.flush()
    record_audit(actor, "team", team.id, "created", {"name": (None, team.name)})
    return team, True


def _check_team_links(team: Team) -> None:
    if team.lead_id is not None and db.session.get(User, team.lead_id) is None:
        raise Invalid({"lead_id": ["Unknown user."]})
    parent_id, seen = team.parent_id, {team.id}
    while parent_id is not None:
        if parent_id in seen:
            raise Invalid({"parent_id": ["A team cannot be inside itself."]})
        seen.add(parent_id)
        parent = db.session.get(Team, parent_id)
        if parent is None:
            raise Invalid({"parent_id": ["Unknown team."]})
        parent_id = parent.parent_id


def update_team(actor: User | None, team: Team, data: dict, expected_version=None) -> Team:
    require_admin(actor)
    check_version(team, expected_version)
    if "name" in data and data["name"] != team.name and db.session.scalar(
            select(Team.id).where(Team.name == data["name"])):
        raise Conflict("A team with this name already exists.")
    changes = apply_changes(team, data, TEAM_FIELDS)
    _check_team_links(team)
    if "lead_id" in changes:
        record_audit(actor, "team", team.id, "lead_changed", {"lead_id": changes["lead_id"]})
        _scope_changed(changes["lead_id"])
    db.session.flush()
    return team


def _scope_changed(user_ids) -> None:
    """Mark that whose records these users see changed (a list of ids, or a select of
    them; ``None`` ids are no one): their phones download the offline book again."""
    if not isinstance(user_ids, Select):
        user_ids = [user_id for user_id in user_ids if user_id is not None]
    db.session.execute(update(User).where(User.id.in_(user_ids))
                       .values(scope_changed_at=utcnow())
                       .execution_options(synchronize_session="fetch"))


def get_team(team_id: uuid.UUID) -> Team:
    team = db.session.get(Team, team_id)
    if team is None:
        raise NotFound("Team not found.")
    return team


def list_teams(limit: int, cursor: str | None):
    return keyset_page(select(Team), (Team.name, Team.id), limit, cursor)


def ensure_team(name: str) -> Team:
    team = db.session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name, version=1)
        db.session.add(team)
        db.session.flush()
    return team


# Signing in ---------------------------------------------------------------------------------

def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def start_session(user: User, lifetime_days: int, user_agent: str | None) -> str:
    """A new random session token (the cookie value); a new one at every sign-in."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(
        token_hash=token_hash(token), user_id=user.id,
        expires_at=utcnow() + timedelta(days=lifetime_days),
        user_agent=(user_agent or "")[:255] or None,
    ))
    db.session.flush()
    return token


def user_for_session(token: str) -> User | None:
    return db.session.scalar(
        select(User).join(UserSession, UserSession.user_id == User.id).where(
            UserSession.token_hash == token_hash(token), UserSession.expires_at > utcnow(),
            User.active.is_(True))
    )


def end_session(token: str) -> None:
    session = db.session.get(UserSession, token_hash(token))
    if session is not None:
        db.session.delete(session)
        db.session.flush()


def end_sessions(user: User) -> None:
    for session in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
        db.session.delete(session)


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    secret = "fl_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret))
    db.session.add(token)
    db.session.flush()
    return token, secret


def user_for_api_token(secret: str) -> User | None:
    row = db.session.execute(
        select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id).where(
            ApiToken.token_hash == token_hash(secret), ApiToken.revoked_at.is_(None),
            User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, token = row
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        token.last_used_at = now  # at most hourly, not on every request; the caller commits
    return user


def list_api_tokens(user: User) -> list[ApiToken]:
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at)
    ).all()


def revoke_api_token(user: User, token_id: uuid.UUID) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound("Token not found.")
    token.revoked_at = utcnow()
    db.session.flush()


