"""How a request says who it is: a session cookie (browser) or a bearer token
(integration), plus the CSRF check for cookie-authenticated writes."""
import hashlib
import hmac

from flask import current_app, g, request
from flask_login import current_user
from flask_smorest import abort

from app.extensions import db, login_manager
from app.services.users import user_for_api_token, user_for_session

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "X-CSRF-Token"
# Endpoints that answer without a signed-in user.
PUBLIC_ENDPOINTS = {"auth.login", "api-docs.openapi_json", "push.PublicKey"}


@login_manager.request_loader
def load_user_from_request(req):
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.auth_method = "bearer"
        user = user_for_api_token(header[len("Bearer "):].strip())
        if db.session.dirty:  # the token's last-used time, written at most hourly
            db.session.commit()
        return user
    token = req.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
    if token:
        g.auth_method = "cookie"
        g.session_token = token
        return user_for_session(token)
    return None


@login_manager.user_loader
def _no_flask_session_user(_user_id):
    return None  # we never use Flask's signed-cookie session for identity


def csrf_token_for(session_token: str) -> str:
    """Bound to the session: a new sign-in gets a new token, nothing to store."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def require_api_auth():
    """before_request for /api/v1: 401 without a user, 403 for a cookie write w/o CSRF."""
    if not request.path.startswith("/api/v1/") or request.endpoint in PUBLIC_ENDPOINTS \
            or request.method == "OPTIONS":
        return
    if not current_user.is_authenticated:
        abort(401, message="Sign in first.")
    if request.method not in SAFE_METHODS and g.get("auth_method") == "cookie":
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, csrf_token_for(g.session_token)):
            abort(403, message="Missing or wrong X-CSRF-Token header.")


def set_session_cookie(response, token: str) -> None:
    config = current_app.config
    response.set_cookie(
        config["SESSION_COOKIE_NAME"], token,
        max_age=config["SESSION_LIFETIME_DAYS"] * 86400, httponly=True, samesite="Lax",
        secure=config["SESSION_COOKIE_SECURE"], path="/",
    )


def clear_session_cookie(response) -> None:
    config = current_app.config
    response.delete_cookie(config["SESSION_COOKIE_NAME"], path="/", httponly=True,
                           samesite="Lax", secure=config["SESSION_COOKIE_SECURE"])
