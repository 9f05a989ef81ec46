"""HTTP machinery every family shares: the request chain (`web.chain`), the errors every
renderer knows (`web.errors`), request bodies and their documentation (`web.schema`), the
request record (`web.requestlog`), the FastAPI routes of the sandbox's own surface
(`web.pages`) and the OpenAPI document (`web.openapi`)."""

from binance_sandbox.web.errors import BAD_VALUE, BadRequest, Busy, is_bad_value, is_busy
from binance_sandbox.web.pages import Family
from binance_sandbox.web.requestlog import LoggedRequest, RequestLog, client_host
from binance_sandbox.web.schema import (
    describe_errors,
    describe_validation,
    openapi_body,
    parse_json_object,
    parse_model,
)

__all__ = [
    "BAD_VALUE",
    "BadRequest",
    "Busy",
    "Family",
    "LoggedRequest",
    "RequestLog",
    "client_host",
    "describe_errors",
    "describe_validation",
    "is_bad_value",
    "is_busy",
    "openapi_body",
    "parse_json_object",
    "parse_model",
]
