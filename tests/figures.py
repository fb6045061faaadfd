"""Figures the reliability and security tests report, printed at the end of the run
(conftest's `pytest_terminal_summary`, section "figures"), so that a closing note can quote
what was actually checked: routes × roles, fuzzed operations and examples, concurrent
writers, faults injected. Counts only: nothing here is asserted, and no timing."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Topic:
    template: str
    counts: dict[str, int] = field(default_factory=dict)
    sets: dict[str, set] = field(default_factory=dict)

    def text(self) -> str:
        values = _Zero({**self.counts, **{k: len(v) for k, v in self.sets.items()}})
        return self.template.format_map(values)


class _Zero(dict):
    """A value no test of this run added (a filtered run) counts 0."""

    def __missing__(self, key):
        return 0


_TOPICS: dict[str, _Topic] = {}


def add(topic: str, template: str, **values) -> None:
    """Add to a topic's figures: numbers are summed, sets are merged (shown by size).

    `template` is a str.format pattern naming the values, e.g.
    "{routes} routes × {roles} roles = {checks} checks".
    """
    entry = _TOPICS.setdefault(topic, _Topic(template))
    for name, value in values.items():
        if isinstance(value, set | frozenset):
            entry.sets.setdefault(name, set()).update(value)
        else:
            entry.counts[name] = entry.counts.get(name, 0) + value


def lines() -> list[str]:
    return [f"{topic}: {entry.text()}" for topic, entry in sorted(_TOPICS.items())]


def dump() -> dict:
    """This process's figures as plain data: an xdist worker sends them to the controller
    (conftest's `pytest_sessionfinish`), which merges every worker's before printing."""
    return {
        topic: {
            "template": entry.template,
            "counts": dict(entry.counts),
            "sets": {name: list(values) for name, values in entry.sets.items()},
        }
        for topic, entry in _TOPICS.items()
    }


def merge(dumped: dict) -> None:
    """Add the figures of another process (`dump()`'s output) to this one's."""
    for topic, entry in dumped.items():
        sets = {name: set(values) for name, values in entry["sets"].items()}
        add(topic, entry["template"], **entry["counts"], **sets)
