"""Web Push: the server's public key and this user's devices."""
from urllib.parse import urlsplit

from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import fields

from app.api import validate
from app.api.common import PageArgs, StrictSchema, page, page_schema
from app.extensions import db
from app.services import push as push_service

blp = Blueprint("push", __name__, url_prefix="/api/v1/push",
                description="Push reminders: VAPID key and subscribed devices")


class PublicKeySchema(StrictSchema):
    public_key = fields.String(metadata={
        "description": "base64url uncompressed P-256 point: the `applicationServerKey`"})


class KeysSchema(StrictSchema):
    p256dh = fields.String(required=True, validate=validate.Length(1, 200))
    auth = fields.String(required=True, validate=validate.Length(1, 100))


class SubscriptionSchema(StrictSchema):
    """``PushSubscription.toJSON()`` as the browser gives it."""

    endpoint = fields.String(required=True, validate=validate.Length(8, 2000))
    expirationTime = fields.Integer(strict=True, allow_none=True,  # noqa: N815 (browser's name)
                                    validate=validate.Range(0, 2**53))
    keys = fields.Nested(KeysSchema, required=True)


class UnsubscribeSchema(StrictSchema):
    """Just the endpoint, or the whole ``toJSON()``."""

    endpoint = fields.String(required=True, validate=validate.Length(8, 2000))
    expirationTime = fields.Integer(strict=True, allow_none=True,  # noqa: N815
                                    validate=validate.Range(0, 2**53))
    keys = fields.Nested(KeysSchema)


class DeviceSchema(StrictSchema):
    id = fields.UUID()
    push_service = fields.Method("_service", metadata={"description": "the endpoint's host"})
    user_agent = fields.String(allow_none=True)
    created_at = fields.DateTime()
    last_success_at = fields.DateTime(allow_none=True)
    last_failure_at = fields.DateTime(allow_none=True)
    last_status = fields.Integer(allow_none=True)

    def _service(self, subscription) -> str:
        return urlsplit(subscription.endpoint).hostname or ""


class TestSentSchema(StrictSchema):
    devices = fields.Integer()


def _require_push():
    if not current_app.config.get("VAPID_PRIVATE_KEY"):
        abort(503, message="Push reminders are not set up on this server.")


@blp.route("/public-key")
class PublicKey(MethodView):
    @blp.response(200, PublicKeySchema)
    def get(self):
        """The VAPID application server key (no sign-in needed; 503 when push is off)"""
        _require_push()
        return {"public_key": current_app.config["VAPID_PUBLIC_KEY"]}


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(DeviceSchema, "DevicePage"))
    def get(self, args):
        """The signed-in user's devices with reminders on"""
        return page(*push_service.list_devices(current_user, args["limit"], args["cursor"]))

    @blp.arguments(SubscriptionSchema)
    @blp.response(201, DeviceSchema)
    @blp.alt_response(200, schema=DeviceSchema, description="This device was already stored")
    def post(self, data):
        """Turn reminders on for this device (the browser's subscription)"""
        _require_push()
        subscription, created = push_service.save_subscription(
            current_user, data, current_app.config["PUSH_ENDPOINT_HOSTS"],
            request.headers.get("User-Agent"))
        db.session.commit()
        return subscription, 201 if created else 200

    @blp.arguments(UnsubscribeSchema)
    @blp.response(204)
    def delete(self, data):
        """Turn reminders off for this device (also done on sign-out)"""
        push_service.remove_subscription(current_user, data["endpoint"])
        db.session.commit()


@blp.route("/subscriptions/<uuid:subscription_id>")
class Device(MethodView):
    @blp.response(204)
    def delete(self, subscription_id):
        """Forget one of the user's devices (a lost phone)"""
        push_service.remove_device(current_user, subscription_id)
        db.session.commit()


@blp.route("/test")
class TestPush(MethodView):
    @blp.response(202, TestSentSchema)
    def post(self):
        """Send a test notification to the user's devices now (at most one a minute)"""
        _require_push()
        devices = push_service.send_test(current_user)
        db.session.commit()
        return {"devices": devices}
