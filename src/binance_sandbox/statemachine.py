"""Declared state machines: a record's status moves only along the transitions its machine
allows (the idea of moto's `ManagedState`, without its timers).

A machine's states are an Enum whose values are the exact values on the wire and in storage
(strings such as `INITIAL`/`PAID`, or wapi's integers 0…6), so a stored status and a state
compare equal. A state with no way out is terminal.

    ORDER = StateMachine("Pay order", OrderStatus, {OrderStatus.INITIAL: {OrderStatus.PAID}, …})
    order.status = ORDER.move(order.status, OrderStatus.PAID).value
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Generic, TypeVar

S = TypeVar("S", bound=Enum)


class IllegalTransition(Exception):
    """A move its machine does not allow, from `current` to `target`."""

    def __init__(self, machine: str, current: Enum, target: Enum) -> None:
        super().__init__(f"{machine} cannot move from {current.value} to {target.value}.")
        self.machine = machine
        self.current = current
        self.target = target


class StateMachine(Generic[S]):
    """The states of one kind of record and the moves allowed between them."""

    def __init__(self, name: str, states: type[S], transitions: Mapping[S, Iterable[S]]) -> None:
        self.name = name
        self.states = states
        self._next: dict[S, frozenset[S]] = {
            state: frozenset(transitions.get(state, ())) for state in states
        }
        stray = set(transitions) - set(states)
        if stray:
            raise ValueError(f"{name}: transitions from unknown states {sorted(map(str, stray))}")
        self.terminal: frozenset[S] = frozenset(s for s, nxt in self._next.items() if not nxt)

    def state(self, value: S | str | int) -> S:
        """The state a stored or wire value stands for (ValueError if it names none)."""
        return value if isinstance(value, self.states) else self.states(value)

    def next_states(self, current: S | str | int) -> frozenset[S]:
        return self._next[self.state(current)]

    def can(self, current: S | str | int, target: S) -> bool:
        return target in self.next_states(current)

    def move(self, current: S | str | int, target: S) -> S:
        """`target`, if `current` may move to it; else IllegalTransition."""
        state = self.state(current)
        if target not in self._next[state]:
            raise IllegalTransition(self.name, state, target)
        return target

    def is_terminal(self, state: S | str | int) -> bool:
        return self.state(state) in self.terminal
