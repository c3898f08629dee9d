"""Sign in and out, the signed-in user, and integration tokens."""
from flask import current_app, g, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import fields, post_dump

from app.api import validate
from app.api.common import StrictSchema
from app.api.users import UserSchema
from app.api.request_auth import clear_session_cookie, csrf_token_for, set_session_cookie
from app.extensions import db, limiter
from app.services import users as user_service

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Signing in")


class LoginSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(1, 254))
    password = fields.String(required=True, validate=validate.Length(1, 200))


class MeSchema(UserSchema):
    csrf_token = fields.String(dump_only=True)

    @post_dump
    def add_csrf_token(self, data, **kwargs):
        """This browser's CSRF token (None with a bearer token): from the request, never set
        on the user."""
        data["csrf_token"] = csrf_token_for(g.session_token) if g.get("session_token") else None
        return data


class LoginResultSchema(StrictSchema):
    user = fields.Nested(UserSchema)
    csrf_token = fields.String()


class TokenCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(1, 120))


class TokenSchema(StrictSchema):
    id = fields.UUID()
    name = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    token = fields.String(dump_only=True)


def _login_email_key() -> str:
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # runs before errors.reject_malformed_input, which answers it
        data = None
    email = data.get("email") if isinstance(data, dict) else None
    return f"login-account:{str(email).strip().lower()[:254]}" if email else "login-account:?"


def _failed(response) -> bool:
    return response.status_code == 401


def _account_limit():
    return current_app.config["LOGIN_FAILURES_PER_ACCOUNT"]


def _address_limit():
    return current_app.config["LOGIN_FAILURES_PER_ADDRESS"]


@blp.route("/auth/login", methods=["POST"])
@limiter.limit(_account_limit, key_func=_login_email_key, deduct_when=_failed,
               error_message="Too many failed sign-ins for this account. Wait a few minutes.")
@limiter.limit(_address_limit, deduct_when=_failed,
               error_message="Too many failed sign-ins from this address. Wait a few minutes.")
@blp.arguments(LoginSchema)
@blp.response(200, LoginResultSchema)
def login(data):
    """Sign in; sets the session cookie and returns the CSRF token"""
    user = user_service.authenticate(data["email"], data["password"])
    if user is None:
        abort(401, message="Wrong email or password.")
    old_token = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
    if old_token:
        user_service.end_session(old_token)  # rotate: never reuse a session id
    token = user_service.start_session(user, current_app.config["SESSION_LIFETIME_DAYS"],
                                       request.headers.get("User-Agent"))
    db.session.commit()
    g.new_session_token = token
    return {"user": user, "csrf_token": csrf_token_for(token)}


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def logout():
    """Sign out this browser"""
    if g.get("session_token"):
        user_service.end_session(g.session_token)
        db.session.commit()
    g.clear_session_cookie = True


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    """The signed-in user (and, for browsers, the CSRF token)"""
    return current_user._get_current_object()


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """Your integration tokens (never the secrets)"""
        return user_service.list_api_tokens(current_user)

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenSchema)
    def post(self, data):
        """Create an integration token; the secret is shown only in this answer"""
        token, secret = user_service.create_api_token(current_user, data["name"])
        db.session.commit()
        return {"id": token.id, "name": token.name, "created_at": token.created_at,
                "last_used_at": None, "token": secret}


@blp.route("/auth/tokens/<uuid:token_id>", methods=["DELETE"])
@blp.response(204)
def revoke_token(token_id):
    """Revoke an integration token"""
    user_service.revoke_api_token(current_user, token_id)
    db.session.commit()


def apply_session_cookie(response):
    """after_request: write or clear the session cookie decided by login/logout."""
    if g.get("new_session_token"):
        set_session_cookie(response, g.new_session_token)
    elif g.get("clear_session_cookie"):
        clear_session_cookie(response)
    return response
