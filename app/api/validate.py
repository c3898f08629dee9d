"""marshmallow's validators, with messages that keep their key and parameters (``Text``):
schemas import ``validate`` from here, so "Must be one of: visit, call." reaches the error
handler as its template and choices, and is rendered in the reader's language without
reading the English back."""
from marshmallow import validate as _marshmallow

from app.services.errors import Text


class Length(_marshmallow.Length):
    def _format_error(self, value, message: str) -> str:
        return Text(self.error or message, input=value, min=self.min, max=self.max,
                    equal=self.equal)


class Range(_marshmallow.Range):
    def _format_error(self, value, message: str) -> str:
        return Text(self.error or message, input=value, min=self.min, max=self.max)


class OneOf(_marshmallow.OneOf):
    def _format_error(self, value) -> str:
        return Text(self.error, input=value, choices=self.choices_text, labels=self.labels_text)


class Equal(_marshmallow.Equal):
    def _format_error(self, value) -> str:
        return Text(self.error, input=value, other=self.comparable)


class Regexp(_marshmallow.Regexp):
    def _format_error(self, value) -> str:
        return Text(self.error, input=value, regex=self.regex.pattern)
