"""What a rule can refuse. The API turns these into the contract's error shape."""


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


class StaleVersion(ServiceError):
    status = 412


class Invalid(ServiceError):
    """Field-level problems: ``errors`` maps field name -> list of messages."""

    status = 422

    def __init__(self, errors: dict, message: str = "The data sent is not valid."):
        super().__init__(message, errors)
