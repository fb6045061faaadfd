"""Checklist templates: the YAML files in `audits/`, validated strictly when loaded.

A template's key is its file's stem. A bad file is refused with its name, the line and the
field at fault, e.g. `audits/bad.yaml line 12: sections[3].items[0].question.en: field
required`; the other templates stay usable.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from qms.config import PROJECT_ROOT
from qms.errors import Invalid
from qms.i18n import N_

TEMPLATES_DIR = PROJECT_ROOT / "audits"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
CLAUSE_PATTERN = r"^\d+(\.\d+)*$"
REF_PATTERN = r"^[0-9A-Za-z.\-]+$"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    # Unknown keys are refused; numbers are not silently taken for text.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Bilingual(_Strict):
    vi: Text
    en: Text

    def get(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


class TemplateItem(_Strict):
    ref: Annotated[str, StringConstraints(pattern=REF_PATTERN, max_length=40)]
    question: Bilingual
    guidance: Bilingual


class TemplateSection(_Strict):
    clause: Annotated[str, StringConstraints(pattern=CLAUSE_PATTERN, max_length=20)]
    title: Bilingual
    items: list[TemplateItem] = Field(min_length=1)


class TemplateBody(_Strict):
    title: Bilingual
    description: Bilingual
    sections: list[TemplateSection] = Field(min_length=1)


@dataclass(frozen=True)
class ChecklistTemplate:
    key: str
    path: Path
    title: Bilingual
    description: Bilingual
    sections: tuple[TemplateSection, ...]

    @property
    def item_count(self) -> int:
        return sum(len(section.items) for section in self.sections)


@dataclass(frozen=True)
class Problem:
    line: int
    where: str  # e.g. sections[3].items[0].question.en
    message: str  # a msgid, with %(name)s placeholders filled from params
    params: dict = field(default_factory=dict)

    def text(self, gettext=None) -> str:
        message = gettext(self.message) if gettext else self.message
        return message % self.params if self.params else message

    def render(self, name: str, gettext=None) -> str:
        head = gettext(N_("%(name)s line %(line)s")) if gettext else "%(name)s line %(line)s"
        where = f" {self.where}:" if self.where else ""
        return f"{head % {'name': name, 'line': self.line}}:{where} {self.text(gettext)}"


class TemplateError(Exception):
    """A template file that cannot be used; str() names the file, the line and the field."""

    def __init__(self, name: str, problems: list[Problem]):
        self.name = name
        self.problems = sorted(problems, key=lambda p: p.line)
        super().__init__(self.problems[0].render(name))


def display_name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


# --- YAML with line numbers -------------------------------------------------------------

Path_ = tuple[str | int, ...]


def _to_python(loader: yaml.SafeLoader, node, path: Path_, lines: dict, problems: list):
    """Build plain data from the composed node tree, noting the line of every path."""
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            key_path = (*path, key)
            if key in out:
                problems.append(
                    Problem(key_node.start_mark.line + 1, _where(key_path), N_("duplicate key"))
                )
                continue
            lines[key_path] = key_node.start_mark.line + 1
            out[key] = _to_python(loader, value_node, key_path, lines, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, child in enumerate(node.value):
            lines[(*path, index)] = child.start_mark.line + 1
            items.append(_to_python(loader, child, (*path, index), lines, problems))
        return items
    return loader.construct_object(node, deep=True)


def _where(path: Path_) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _line_of(path: Path_, lines: dict) -> int:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


_MESSAGES = {
    "missing": N_("field required"),
    "extra_forbidden": N_("unknown field"),
    "string_type": N_("must be text (put it in quotes)"),
    "string_too_short": N_("must not be empty"),
    "too_short": N_("must not be empty"),
    "list_type": N_("must be a list"),
    "model_type": N_("must be a mapping of fields"),
    "dict_type": N_("must be a mapping of fields"),
    "model_attributes_type": N_("must be a mapping of fields"),
}


def _problem(error: dict, lines: dict) -> Problem:
    loc = tuple(error["loc"])
    line, where, kind = _line_of(loc, lines), _where(loc), error["type"]
    if kind == "string_pattern_mismatch":
        return Problem(
            line,
            where,
            N_("%(value)s does not match %(pattern)s"),
            {"value": repr(error["input"]), "pattern": error["ctx"]["pattern"]},
        )
    if kind == "string_too_long":
        return Problem(
            line,
            where,
            N_("longer than %(max)s characters"),
            {"max": error["ctx"]["max_length"]},
        )
    if kind in _MESSAGES:
        return Problem(line, where, _MESSAGES[kind])
    # A rarer refusal: pydantic's own words, in English.
    return Problem(line, where, "%(detail)s", {"detail": error["msg"]})


def _duplicate_refs(data: dict, lines: dict) -> list[Problem]:
    """Item refs are unique in a file: each later use of a ref is refused."""
    problems, seen = [], {}
    sections = data.get("sections")
    for s_index, section in enumerate(sections if isinstance(sections, list) else []):
        items = section.get("items") if isinstance(section, dict) else None
        for i_index, item in enumerate(items if isinstance(items, list) else []):
            ref = item.get("ref") if isinstance(item, dict) else None
            if not isinstance(ref, str):
                continue
            path = ("sections", s_index, "items", i_index, "ref")
            line = _line_of(path, lines)
            if ref in seen:
                problems.append(
                    Problem(
                        line,
                        _where(path),
                        N_("ref %(ref)s is already used at line %(line)s"),
                        {"ref": ref, "line": seen[ref]},
                    )
                )
            else:
                seen[ref] = line
    return problems


def load_template(path: Path) -> ChecklistTemplate:
    """Read and validate one template file; TemplateError names what is wrong and where."""
    name = display_name(path)
    if not KEY_PATTERN.match(path.stem):
        raise TemplateError(
            name,
            [Problem(1, "", N_("the file name must be lower-case letters, digits and dashes"))],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(1, "", N_("not UTF-8 text (%(reason)s)"), {"reason": exc.reason})
        raise TemplateError(name, [problem]) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise TemplateError(name, [Problem(1, "", N_("the file is empty"))])
        lines: dict[Path_, int] = {}
        problems: list[Problem] = []
        data = _to_python(loader, node, (), lines, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = Problem(line, "", N_("not valid YAML: %(detail)s"), {"detail": exc.problem})
        raise TemplateError(name, [problem]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        problems.append(
            Problem(1, "", N_("the file must be a mapping with title, description and sections"))
        )
        raise TemplateError(name, problems)
    problems.extend(_duplicate_refs(data, lines))
    try:
        body = TemplateBody.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problem(error, lines) for error in exc.errors())
    if problems:
        raise TemplateError(name, problems)
    return ChecklistTemplate(
        key=path.stem,
        path=path,
        title=body.title,
        description=body.description,
        sections=tuple(body.sections),
    )


# --- the catalogue of templates ---------------------------------------------------------


@dataclass
class Catalogue:
    templates: dict[str, ChecklistTemplate] = field(default_factory=dict)
    errors: dict[str, TemplateError] = field(default_factory=dict)


_cache: dict[Path, tuple[tuple[int, int], ChecklistTemplate | TemplateError]] = {}
_cache_lock = threading.Lock()


def _cached(path: Path) -> ChecklistTemplate | TemplateError:
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        hit = _cache.get(path)
        if hit is not None and hit[0] == stamp:
            return hit[1]
    try:
        result: ChecklistTemplate | TemplateError = load_template(path)
    except TemplateError as exc:
        result = exc
    with _cache_lock:
        _cache[path] = (stamp, result)
    return result


def catalogue(directory: Path | None = None) -> Catalogue:
    """Every template file of the folder: the usable ones, and the refused ones with why."""
    found = Catalogue()
    folder = directory or TEMPLATES_DIR
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.yaml")):
        result = _cached(path)
        if isinstance(result, TemplateError):
            found.errors[path.stem] = result
        else:
            found.templates[path.stem] = result
    return found


def get_template(key: str, directory: Path | None = None) -> ChecklistTemplate:
    """The usable template with this key, or a 422 on `template_keys` saying why not."""
    found = catalogue(directory)
    if key in found.templates:
        return found.templates[key]
    if key in found.errors:
        raise Invalid(
            "The checklist template %(key)s cannot be used (%(problem)s).",
            field="template_keys",
            key=key,
            problem=str(found.errors[key]),
        )
    raise Invalid("There is no checklist template %(key)s.", field="template_keys", key=key)
