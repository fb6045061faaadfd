"""Typed domain errors: each carries the message a person can act on and its HTTP status."""

from __future__ import annotations


class Label(str):
    """A code given as a message parameter (a status such as `in_review`) with the msgid
    people read for it: machine fields keep the code, the message shows the label."""

    label: str

    def __new__(cls, code, label: str):
        made = super().__new__(cls, str(code))
        made.label = label
        return made


def readable(params: dict, gettext) -> dict:
    """The parameters as a person reads them: each Label translated."""
    return {
        key: gettext(value.label) if isinstance(value, Label) else value
        for key, value in params.items()
    }


class QMSError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None, **params):
        # `message` is an English msgid with %(name)s placeholders; it is translated into
        # the reader's language when shown (the class names are Babel extraction keywords).
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params

    def render(self, gettext) -> str:
        text = gettext(self.message)
        return text % readable(self.params, gettext) if self.params else text


class Unauthenticated(QMSError):
    status = 401


class Forbidden(QMSError):
    status = 403


class NotFound(QMSError):
    status = 404


class Conflict(QMSError):
    """A rule of the domain refuses the change."""

    status = 409


class InvalidTransition(Conflict):
    pass


class StaleVersion(Conflict):
    """The record changed since the caller read it."""


class Invalid(QMSError):
    """Input that cannot be accepted; `field` names it."""

    status = 422


class InvalidFields(Invalid):
    """Several fields refused at once: a form shows every message beside its field; the
    API answers with the first one as `field` and all of them in `errors`."""

    def __init__(self, errors: list[Invalid]):
        first = errors[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.errors = errors


class Problems:
    """Collects the refusals of every field before raising them together."""

    def __init__(self) -> None:
        self.errors: list[Invalid] = []

    def check(self, function, *args, **kwargs):
        """Call `function`; an `Invalid` it raises is kept and None returned instead."""
        try:
            return function(*args, **kwargs)
        except InvalidFields as exc:
            self.errors.extend(exc.errors)
        except Invalid as exc:
            self.errors.append(exc)
        return None

    def add(self, message: str, *, field: str, **params) -> None:
        self.errors.append(Invalid(message, field=field, **params))

    def has(self, field: str) -> bool:
        return any(e.field == field for e in self.errors)

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise InvalidFields(self.errors)


def check_length(value: str, *, field: str, limit: int) -> str:
    """Refuse a text longer than its field's limit, naming the field and both lengths."""
    if len(value) > limit:
        raise Invalid(
            "At most %(limit)s characters here; this has %(count)s.",
            field=field,
            limit=limit,
            count=len(value),
        )
    return value


class TooLarge(QMSError):
    status = 413


class TooManyAttempts(QMSError):
    status = 429


class Unavailable(QMSError):
    status = 503


def check_version(record, version: int | None) -> None:
    """Refuse an edit made against an older version of the record."""
    if version is None:
        raise Invalid("The version of the record you edited is required.", field="version")
    if record.version != version:
        raise StaleVersion(
            "This record was changed by someone else (now version %(current_version)s, "
            "you sent %(sent_version)s). Reload it and try again.",
            field="version",
            current_version=record.version,
            sent_version=version,
        )
