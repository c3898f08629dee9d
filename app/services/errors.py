"""What a rule can refuse, and how it says why. The API turns these into the contract's
error shape, in the reader's language."""


class Text(str):
    """A message that keeps its key and parameters: it reads as the English text (it is a
    ``str``), and ``template`` (the English with ``{name}`` placeholders, the key of its
    translations in ``app/api/messages.py``) and ``params`` render it in another language,
    the way a push notice keeps its kind and params. A plain ``str`` message is a key
    without parameters."""

    template: str
    params: dict

    def __new__(cls, template: str, **params):
        text = super().__new__(cls, template.format(**params) if params else template)
        text.template, text.params = template, params
        return text


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class NotFound(ServiceError):
    """Missing, or not visible to the actor: the two are never told apart."""

    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class Gone(ServiceError):
    """What was asked for is no longer kept (a delta sync from before the removals kept)."""

    status = 410


class StaleVersion(ServiceError):
    status = 412


class Invalid(ServiceError):
    """Field-level problems: ``errors`` maps field name -> list of messages."""

    status = 422

    def __init__(self, errors: dict, message: str = "The data sent is not valid."):
        super().__init__(message, errors)
