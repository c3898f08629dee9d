"""One error shape for everything: {"code", "status", "message", "errors"?}."""
import logging
from http import HTTPStatus

from flask import jsonify
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.services.errors import ServiceError

log = logging.getLogger(__name__)


def error_response(code: int, message: str, errors: dict | None = None):
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors if "json" in errors or "query" in errors else {"json": errors}
    return jsonify(body), code


def register_error_handlers(app):
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
