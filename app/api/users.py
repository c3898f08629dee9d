"""Users and teams. Admins write; everyone reads colleagues' names."""
from datetime import time

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import validate
from app.api.common import (
    PageArgs, RecordSchema, SearchPageArgs, StrictSchema, etag, if_match_version, page,
    page_schema,
)
from app.extensions import db
from app.models.users import LOCALES, ROLES
from app.services import users as user_service

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users and teams")


def _timezone_field(**kwargs):
    return fields.String(validate=validate.Length(1, 64), **kwargs)


def _lead_minutes_field(**kwargs):
    """How long before a follow-up its push reminder comes (0 = at the due time)."""
    return fields.Integer(strict=True, validate=validate.Range(0, 24 * 60), **kwargs)


class UserSchema(RecordSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(1, 120))
    role = fields.String(validate=validate.OneOf(ROLES), load_default="rep")
    team_id = fields.UUID(allow_none=True)
    timezone = _timezone_field(load_default="Asia/Shanghai")
    locale = fields.String(validate=validate.OneOf(LOCALES), load_default="en")
    active = fields.Boolean(load_default=True)
    password = fields.String(load_only=True, required=True, validate=validate.Length(8, 200))
    reminder_lead_minutes = _lead_minutes_field(load_default=15)
    quiet_hours_start = fields.Time(load_default=time(21, 0))
    quiet_hours_end = fields.Time(load_default=time(8, 0))


class UserUpdateSchema(StrictSchema):
    email = fields.Email(validate=validate.Length(max=254))
    name = fields.String(validate=validate.Length(1, 120))
    role = fields.String(validate=validate.OneOf(ROLES))
    team_id = fields.UUID(allow_none=True)
    timezone = _timezone_field()
    locale = fields.String(validate=validate.OneOf(LOCALES))
    active = fields.Boolean()
    password = fields.String(load_only=True, validate=validate.Length(8, 200))
    reminder_lead_minutes = _lead_minutes_field()
    quiet_hours_start = fields.Time()
    quiet_hours_end = fields.Time()


class ColleagueSchema(StrictSchema):
    """What a non-admin sees of a colleague."""

    id = fields.UUID()
    name = fields.String()
    role = fields.String()
    team_id = fields.UUID(allow_none=True)
    active = fields.Boolean()


class UserListArgs(SearchPageArgs):
    team_id = fields.UUID(load_default=None)


class TeamSchema(RecordSchema):
    name = fields.String(required=True, validate=validate.Length(1, 120))
    lead_id = fields.UUID(allow_none=True)
    parent_id = fields.UUID(allow_none=True)


class TeamUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(1, 120))
    lead_id = fields.UUID(allow_none=True)
    parent_id = fields.UUID(allow_none=True)


def _dump_user(user):
    """What the signed-in user may see of ``user`` (admin, yourself: everything; others: the
    colleague fields), as values the response's UserSchema dumps."""
    if user_service.sees_all_of(current_user, user):
        return user
    return {name: getattr(user, name) for name in ColleagueSchema().fields}


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserListArgs, location="query")
    @blp.response(200, page_schema(UserSchema, "UserPage"))
    def get(self, args):
        """List users (admins get every field, others names and teams)"""
        items, cursor = user_service.list_users(current_user, args["q"], args["team_id"],
                                                args["limit"], args["cursor"])
        return page([_dump_user(u) for u in items], cursor)

    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user (admin)"""
        user, created = user_service.create_user(current_user, data)
        db.session.commit()
        return user, 201 if created else 200


@blp.route("/users/<uuid:user_id>")
class UserById(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user"""
        user = user_service.get_user(user_id)
        return _dump_user(user), 200, etag(user)

    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change a user (admin; anyone may change their own name, locale and timezone)"""
        user = user_service.get_user(user_id)
        user = user_service.update_user(current_user, user, data, if_match_version())
        db.session.commit()
        return user, 200, etag(user)


@blp.route("/teams")
class Teams(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(TeamSchema, "TeamPage"))
    def get(self, args):
        """List teams"""
        return page(*user_service.list_teams(args["limit"], args["cursor"]))

    @blp.arguments(TeamSchema)
    @blp.response(201, TeamSchema)
    def post(self, data):
        """Create a team (admin)"""
        team, created = user_service.create_team(current_user, data)
        db.session.commit()
        return team, 201 if created else 200


@blp.route("/teams/<uuid:team_id>")
class TeamById(MethodView):
    @blp.response(200, TeamSchema)
    def get(self, team_id):
        """One team"""
        team = user_service.get_team(team_id)
        return team, 200, etag(team)

    @blp.arguments(TeamUpdateSchema)
    @blp.response(200, TeamSchema)
    def patch(self, data, team_id):
        """Change a team (admin)"""
        team = user_service.update_team(current_user, user_service.get_team(team_id), data,
                                        if_match_version())
        db.session.commit()
        return team, 200, etag(team)
