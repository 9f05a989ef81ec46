"""The state-machine helper: declared moves only, terminal states, wire values in and out."""

from __future__ import annotations

from enum import IntEnum, StrEnum

import pytest

from binance_sandbox.statemachine import IllegalTransition, StateMachine


class Light(StrEnum):
    RED = "RED"
    GREEN = "GREEN"
    AMBER = "AMBER"
    BROKEN = "BROKEN"


LIGHT = StateMachine(
    "Light",
    Light,
    {
        Light.RED: {Light.GREEN, Light.BROKEN},
        Light.GREEN: {Light.AMBER, Light.BROKEN},
        Light.AMBER: {Light.RED, Light.BROKEN},
    },
)


class Step(IntEnum):
    NEW = 0
    DONE = 6


STEP = StateMachine("Step", Step, {Step.NEW: {Step.DONE}})


def test_a_declared_move_returns_its_target() -> None:
    assert LIGHT.move(Light.RED, Light.GREEN) is Light.GREEN
    assert LIGHT.can(Light.GREEN, Light.AMBER)


def test_a_stored_value_stands_for_its_state() -> None:
    assert LIGHT.move("AMBER", Light.RED) is Light.RED
    assert STEP.move(0, Step.DONE) is Step.DONE
    assert STEP.state(6) is Step.DONE
    assert Light.RED == "RED"
    assert Step.DONE == 6


def test_an_undeclared_move_is_refused_with_both_ends() -> None:
    with pytest.raises(IllegalTransition) as caught:
        LIGHT.move("RED", Light.AMBER)
    assert caught.value.machine == "Light"
    assert caught.value.current is Light.RED
    assert caught.value.target is Light.AMBER
    assert str(caught.value) == "Light cannot move from RED to AMBER."
    assert not LIGHT.can(Light.RED, Light.AMBER)


def test_staying_put_is_a_move_only_when_declared() -> None:
    assert not LIGHT.can(Light.RED, Light.RED)
    with pytest.raises(IllegalTransition):
        STEP.move(Step.DONE, Step.DONE)


def test_states_without_a_way_out_are_terminal() -> None:
    assert LIGHT.terminal == {Light.BROKEN}
    assert LIGHT.is_terminal("BROKEN")
    assert not LIGHT.is_terminal(Light.RED)
    assert STEP.is_terminal(6)
    assert STEP.next_states(0) == {Step.DONE}
    with pytest.raises(IllegalTransition):
        LIGHT.move(Light.BROKEN, Light.RED)


def test_a_value_that_names_no_state_is_an_error() -> None:
    with pytest.raises(ValueError):
        LIGHT.can("BLUE", Light.RED)
    with pytest.raises(ValueError):
        STEP.is_terminal(3)


def test_transitions_from_another_machines_states_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown states"):
        StateMachine("Mixed", Light, {Step.NEW: {Light.RED}})  # type: ignore[dict-item]
