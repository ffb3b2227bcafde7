"""A JSON request body validated as one pydantic model, without FastAPI's per-request work around it.

For a body parameter FastAPI solves the route's dependencies and then checks the field's annotation again on every
request (`request_body_to_args`, `is_sequence_field`, `_validate_value_with_model_field`) before validating. On
`POST /api/orders` that, with the header parameter beside it, was about a fifth of the orders service's CPU per
order. `body_model(Model)` is a dependency that reads the body and validates it with the model's compiled
validator in one call; `body_openapi(Model)` documents it in OpenAPI as FastAPI does, with the nested models
written in place instead of as `$ref`s (a test compares the two). The body is read as FastAPI reads it (JSON when
the content type is JSON or missing, else the raw bytes, which no model accepts), and every error is FastAPI's
own `RequestValidationError` with `("body", ...)` locations, so the 422 problems are the same.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def body_model(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """A dependency answering the request's body as `model`."""

    async def parse(request: Request) -> M:
        raw = await request.body()
        if not raw:
            raise RequestValidationError(
                [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
            )
        value: Any = raw
        if _is_json(request.headers.get("content-type")):
            try:
                value = json.loads(raw)  # not orjson: the same numbers, duplicate keys and error positions
            except json.JSONDecodeError as exc:
                raise RequestValidationError(
                    [
                        {
                            "type": "json_invalid",
                            "loc": ("body", exc.pos),
                            "msg": "JSON decode error",
                            "input": {},
                            "ctx": {"error": exc.msg},
                        }
                    ]
                ) from None
        try:
            return model.model_validate(value, from_attributes=True)  # as FastAPI's field validates
        except ValidationError as exc:
            raise RequestValidationError(
                [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
            ) from None

    return parse


def _is_json(content_type: str | None) -> bool:
    """As FastAPI decides: no content type, or `application/json` or `application/*+json`."""
    if not content_type:
        return True
    if content_type.partition(";")[0].strip().lower() == "application/json":
        return True  # what clients send; parsing the header as a MIME message took a fifth of reading the body
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def body_openapi(model: type[BaseModel]) -> dict[str, Any]:
    """The route's `openapi_extra` for a required JSON body of `model`, with FastAPI's 422 answer (its schema,
    `HTTPValidationError`, is among the components of any app with one route taking a parameter)."""
    schema = model.model_json_schema(mode="validation")
    defs = schema.pop("$defs", {})
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": _inline(schema, defs)}}},
        "responses": {"422": VALIDATION_ERROR},
    }


VALIDATION_ERROR = {
    "description": "Validation Error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
}


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target = _inline(defs[node["$ref"].rsplit("/", 1)[1]], defs)
            return {**target, **{k: _inline(v, defs) for k, v in node.items() if k != "$ref"}}
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node
