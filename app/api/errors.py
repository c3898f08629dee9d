"""One error shape for everything: {"code", "status", "message", "errors"?}."""
import logging
import re
from http import HTTPStatus

from flask import g, has_request_context, jsonify, request
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.api.messages import translate
from app.extensions import db
from app.services.errors import ServiceError

log = logging.getLogger(__name__)


def _loaded_user_locale() -> str | None:
    """The signed-in user's locale if Flask-Login has already loaded the user, read from
    what is loaded: never a query (an expired user, e.g. after a rollback, gives None)."""
    user = g.get("_login_user")
    if user is None or getattr(user, "is_anonymous", True):
        return None
    return inspect(user).dict.get("locale")


def remember_language():
    """before_request, after sign-in: keep the user's locale for an error answered after
    a rollback has expired the user."""
    locale = _loaded_user_locale()
    if locale:
        g.error_locale = locale


def error_language() -> str:
    """The language of error messages: the signed-in user's locale, else the best match of
    Accept-Language. Runs no SQL and never fails (English when in doubt)."""
    try:
        if not has_request_context():
            return "en"
        locale = _loaded_user_locale() or g.get("error_locale")
        return locale or request.accept_languages.best_match(["en", "zh-CN", "zh"]) or "en"
    except Exception:  # noqa: BLE001 - an error answer must not fail over its language
        log.exception("could not tell the language of an error response")
        return "en"


def error_response(code: int, message: str, errors: dict | None = None):
    locale = error_language()
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": translate(message, locale)}
    if errors:
        located = {"json", "query", "path", "form", "files"} & set(errors)
        body["errors"] = translate(errors if located else {"json": errors}, locale)
    return jsonify(body), code


_HTTP_MESSAGES = {404: "Not found.", 405: "This method is not allowed here.",
                  422: "The data sent is not valid."}


def http_error_response(exc: HTTPException):
    """Any HTTP error (abort(), webargs 422, routing 404/405, limiter 429) in the one shape,
    always with a ``message``; webargs' field errors become ``errors``."""
    data = getattr(exc, "data", None) or {}
    message = data.get("message")
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, dict) and isinstance(errors.get("json"), list):
        message = message or " ".join(errors["json"])  # "Invalid JSON body.": no field's fault
        errors = None
    code = exc.code or 500
    message = message or _HTTP_MESSAGES.get(code) or exc.description or HTTPStatus(code).phrase
    response, code = error_response(code, message, errors)
    response.headers.update(data.get("headers") or {})
    if code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response, code


# NUL (PostgreSQL refuses it in any text) and lone surrogates (not encodable as UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def reject_malformed_input():
    """before_request: 400 for input no handler could store or even parse (JSON nested past
    Python's recursion limit, NUL characters, lone surrogates), instead of a 500 from deep
    inside the JSON parser or the database driver. Checked iteratively: no recursion."""
    values = [v for pair in request.args.items(multi=True) for v in pair]
    if request.is_json and request.content_length != 0:
        try:
            values.append(request.get_json(silent=True))
        except RecursionError:
            return error_response(400, "The JSON body is nested too deeply.")
    while values:
        value = values.pop()
        if isinstance(value, str) and _UNSTORABLE.search(value):
            return error_response(400, "Text may not contain NUL characters or lone surrogates.")
        if isinstance(value, dict):
            values.extend(value.keys())
            values.extend(value.values())
        elif isinstance(value, list):
            values.extend(value)
    return None


def register_error_handlers(app):
    # Registered after flask-smorest's own HTTPException handler, so this one answers.
    app.register_error_handler(HTTPException, http_error_response)
    app.before_request(reject_malformed_input)
    app.before_request(remember_language)

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        db.session.rollback()
        return error_response(exc.status, exc.message, exc.errors)

    @app.errorhandler(StaleDataError)
    def stale(exc):
        db.session.rollback()
        return error_response(412, "This record was changed by someone else. Reload it.")

    @app.errorhandler(IntegrityError)
    def integrity(exc):
        db.session.rollback()
        log.info("integrity error: %s", exc.orig)
        return error_response(409, "This conflicts with existing data.")

    @app.errorhandler(Exception)
    def unexpected(exc):
        db.session.rollback()
        log.exception("unhandled error")
        return error_response(500, "Something went wrong on our side. It has been logged.")
