"""Posted forms read through the API's own models: one place for each field's rule, every
field refused at once, each with a message a person can act on, in their language."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from qms.errors import Invalid, InvalidFields
from qms.i18n import N_

M = TypeVar("M", bound=BaseModel)

# The message for an error pydantic reports, by its type, when the model names none.
BY_TYPE = {
    "missing": N_("Fill in this field."),
    "string_too_short": N_("Fill in this field."),
    "enum": N_("Choose a value from the list."),
    "literal_error": N_("Choose a value from the list."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "greater_than_equal": N_("Choose a value from the list."),
    "less_than_equal": N_("Choose a value from the list."),
    "date_parsing": N_("Enter the date as YYYY-MM-DD."),
    "date_from_datetime_parsing": N_("Enter the date as YYYY-MM-DD."),
    "date_type": N_("Enter the date as YYYY-MM-DD."),
}


def _is_list(annotation) -> bool:
    if typing.get_origin(annotation) in (list, tuple, set):
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_list(a) for a in typing.get_args(annotation))
    return False


def _is_text(annotation) -> bool:
    return annotation is str


def _shaped(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """The form's strings as the model reads them: an empty choice is no choice, a repeated
    or single name is a list where the model wants one, `name.0`… make a list too."""
    shaped: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if _is_list(info.annotation):
            if name in data:
                values = data[name] if isinstance(data[name], list) else [data[name]]
                shaped[name] = [v for v in values if v not in (None, "")]
            elif f"{name}.0" in data:
                # Numbered inputs (whys.0, whys.1 …): kept in place, blanks included.
                values, i = [], 0
                while f"{name}.{i}" in data:
                    values.append(data[f"{name}.{i}"])
                    i += 1
                shaped[name] = values
            continue
        value = data.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None or (value == "" and not _is_text(info.annotation)):
            continue
        shaped[name] = value
    return shaped


def _message(model: type[BaseModel], field: str, error: dict) -> Invalid:
    if error["type"] == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return Invalid(
            "At most %(limit)s characters here; this has %(count)s.",
            field=field,
            limit=limit,
            count=len(error.get("input") or ""),
        )
    named = getattr(model, "MESSAGES", {}).get(field.split(".")[0])
    return Invalid(named or BY_TYPE.get(error["type"], N_("Check this field.")), field=field)


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """The form as the model, or every field it refuses at once (InvalidFields)."""
    try:
        return model.model_validate(_shaped(model, data))
    except ValidationError as exc:
        errors: list[Invalid] = []
        seen: set[str] = set()
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]) or "_form"
            if field in seen:
                continue
            seen.add(field)
            errors.append(_message(model, field, error))
        raise InvalidFields(errors) from None
