"""The operator's commands, run through Flask's CLI runner against the test database."""
import base64
import sqlite3
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Team, User, UserSession
from app.models.base import utcnow
from app.services.users import authenticate


def _b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_create_user_makes_the_team_and_a_working_login(app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "Boss@Example.com", "--password", "long-enough-1",
        "--role", "admin", "--team", "HQ"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.role == "admin" and user.name == "Boss"
    assert db.session.get(Team, user.team_id).name == "HQ"
    assert authenticate("boss@example.com", "long-enough-1").id == user.id


def test_create_user_refuses_a_duplicate_and_a_short_password(app):
    runner = app.test_cli_runner()
    args = ["create-user", "--email", "a@example.com", "--role", "rep"]
    assert runner.invoke(args=[*args, "--password", "long-enough-1"]).exit_code == 0
    again = runner.invoke(args=[*args, "--password", "long-enough-1"])
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["create-user", "--email", "b@example.com", "--role", "rep",
                                "--password", "short"])
    assert short.exit_code != 0 and "8 characters" in short.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_create_user_rejects_an_unknown_role(app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "c@example.com", "--password", "long-enough-1",
        "--role", "emperor"])
    assert result.exit_code == 2
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_vapid_keys_prints_a_usable_p256_pair(app):
    from cryptography.hazmat.primitives.asymmetric import ec

    result = app.test_cli_runner().invoke(args=["vapid-keys"])
    assert result.exit_code == 0
    values = dict(line.split("=", 1) for line in result.output.strip().splitlines())
    private = _b64url_decode(values["VAPID_PRIVATE_KEY"])
    public = _b64url_decode(values["VAPID_PUBLIC_KEY"])
    assert len(private) == 32 and len(public) == 65 and public[0] == 4
    key = ec.derive_private_key(int.from_bytes(private, "big"), ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    assert public[1:] == numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")


def test_worker_once_purges_expired_sessions_only(app):
    from tests.factories import make_user

    user = make_user()
    db.session.add_all([
        UserSession(token_hash="a" * 64, user_id=user.id, expires_at=utcnow() - timedelta(1)),
        UserSession(token_hash="b" * 64, user_id=user.id, expires_at=utcnow() + timedelta(1)),
    ])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "purge_expired_sessions" in result.output
    db.session.expire_all()
    left = db.session.scalars(select(UserSession.token_hash)).all()
    assert left == ["b" * 64]


def test_backup_writes_a_readable_copy(app, tmp_path):
    from tests.factories import make_user

    make_user(name="Kept")
    target = tmp_path / "copy.db"
    result = app.test_cli_runner().invoke(args=["backup", "--to", str(target)])
    if app.config["BACKEND"] == "sqlite":
        assert result.exit_code == 0, result.output
        names = sqlite3.connect(target).execute("select name from users").fetchall()
        assert names == [("Kept",)]
    else:
        # pg_dump comes with the postgresql package the suite installs.
        assert result.exit_code == 0, result.output
        assert target.read_bytes()[:5] == b"PGDMP"
