"""`AppState` behaves as Starlette's `State`, with its values as plain attributes."""

from __future__ import annotations

import pytest
from starlette.datastructures import State

from binance_sandbox.web import AppState


@pytest.mark.parametrize("kind", [State, AppState])
def test_app_state_sets_reads_and_deletes_as_starlette_state_does(kind: type[State]) -> None:
    state = kind()
    state.platform = "p"
    assert state.platform == "p"
    assert getattr(state, "missing", None) is None
    with pytest.raises(AttributeError, match="object has no attribute 'missing'"):
        state.missing  # noqa: B018
    state["merchants"] = "m"
    assert (state["merchants"], list(state), len(state)) == ("m", ["platform", "merchants"], 2)
    del state.platform
    assert getattr(state, "platform", None) is None


def test_app_state_values_are_found_without_getattr() -> None:
    state = AppState()
    state.platform = "p"
    assert vars(state)["platform"] == "p"
    assert state._state is vars(state)
    assert list(state) == ["platform"]
