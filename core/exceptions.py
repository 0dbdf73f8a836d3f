"""Domain errors raised by services; the API maps them to HTTP statuses."""


class DomainError(Exception):
    """A business rule refused the operation; the message is shown to the user."""


class InvalidStateError(DomainError):
    """The object's state forbids this change (HTTP 409)."""


class RuleViolation(DomainError):
    """The input breaks a rule of the business (HTTP 400).

    ``errors`` maps field names to lists of messages, like a Django ValidationError.
    """

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        if isinstance(errors, str):
            errors = {"non_field_errors": [errors]}
        self.errors = errors
        super().__init__("; ".join(str(m) for msgs in errors.values() for m in msgs))
