from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class FieldlineApi(Api):
    """flask-smorest's Api, keeping the ``Allow`` header on 405 answers."""

    def handle_http_exception(self, error):
        data = getattr(error, "data", None)
        if error.code == 400 and isinstance(data, dict):
            messages = data.get("messages", {}).get("json")
            if isinstance(messages, list):  # "Invalid JSON body." is no field's fault
                data.setdefault("message", " ".join(messages))
                data.pop("messages")
        response = super().handle_http_exception(error)
        valid_methods = getattr(error, "valid_methods", None)
        if error.code == 405 and valid_methods:
            response.headers["Allow"] = ", ".join(valid_methods)
        return response


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
api = FieldlineApi()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
compress = Compress()
