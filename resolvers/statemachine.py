"""State machines declared once: allowed transitions of a status field, the documented error on a
forbidden one, and one domain event per transition.

Every write path that changes the field (a dedicated command such as ``complete``, or a plain
update) goes through :meth:`StateMachine.check`, so no path can skip the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crmgraph.errors import Conflict, ValidationFailed, issue


@dataclass(frozen=True)
class StateMachine:
    """``transitions`` maps each state to the states it may move to (staying put is always allowed)."""

    name: str
    field: str
    transitions: Mapping[str, frozenset[str]]
    initial: str

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def validate_state(self, value: Any) -> str:
        if value not in self.transitions:
            raise ValidationFailed(
                [issue(self.field, f"One of {', '.join(self.states)}", "invalid_enum_value")]
            )
        return value

    def check(self, current: str | None, target: str) -> None:
        """Raise the documented 409 when ``current`` may not become ``target``."""
        self.validate_state(target)
        if current is None or current == target or target in self.transitions.get(current, frozenset()):
            return
        raise Conflict(
            "Invalid status transition",
            code="invalid_transition",
            details=[
                issue(
                    self.field, f"Cannot change {self.field} from {current} to {target}", "invalid_transition"
                )
            ],
        )

    def allowed_from(self, current: str) -> list[str]:
        return sorted(self.transitions.get(current, frozenset()))


def machine(name: str, field: str, initial: str, **transitions: tuple[str, ...]) -> StateMachine:
    return StateMachine(
        name, field, {state: frozenset(targets) for state, targets in transitions.items()}, initial
    )
