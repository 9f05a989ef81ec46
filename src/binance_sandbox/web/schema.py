"""Reading a JSON body into a pydantic model, and documenting it in OpenAPI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from binance_sandbox import wire
from binance_sandbox.web.errors import BadRequest

M = TypeVar("M", bound=BaseModel)


def describe_validation(exc: ValidationError) -> str:
    return describe_errors(exc.errors())


def describe_errors(errors: Sequence[Any]) -> str:
    parts = []
    for err in list(errors)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        value = wire.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("Request body is not valid JSON.") from exc
    except RecursionError as exc:
        raise BadRequest("Request body is nested too deeply.") from exc
    if not isinstance(value, dict):
        raise BadRequest("Request body must be a JSON object.")
    return value


def parse_model(model: type[M], raw: bytes) -> M:
    try:
        return model.model_validate(parse_json_object(raw))
    except ValidationError as exc:
        raise BadRequest(f"Illegal parameter: {describe_validation(exc)}") from exc


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """Document a JSON body that the route reads itself (it must verify the raw bytes
    before parsing them, and parse numbers as decimals)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(model)}},
        }
    }


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its nested models written in place: pydantic refers to
    them as `#/$defs/…`, a pointer that in an OpenAPI document would lead nowhere."""
    schema = model.model_json_schema()
    defs: dict[str, Any] = schema.pop("$defs", {})

    def inline(node: Any, within: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, within) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name in within:
                raise TypeError(f"{model.__name__}: {name} contains itself; cannot inline it")
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return inline({**defs[name], **rest}, (*within, name))
        return {key: inline(value, within) for key, value in node.items()}

    result: dict[str, Any] = inline(schema, ())
    return result
