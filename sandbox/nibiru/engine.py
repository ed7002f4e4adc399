"""Running one GraphQL request the way gqlgen does, independent of HTTP or WebSocket.

gqlgen's order: parse (failure: code GRAPHQL_PARSE_FAILED), "no operation provided",
validate (GRAPHQL_VALIDATION_FAILED), pick the operation ("operation X not found"), check the
variables (GRAPHQL_VALIDATION_FAILED, path ["variable", name]). All of these are protocol
errors: HTTP 422, `{"errors": [...], "data": null}`. Resolver errors come back with HTTP 200,
a `path` and no `locations`, next to whatever data resolved.

Messages come from graphql-core, reshaped towards gqlparser's: no "Syntax Error: " prefix
and no final period on syntax errors, and double quotes around names instead of single.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    VariableDefinitionNode,
    execute,
    parse,
    subscribe,
    validate,
)
from graphql.execution.values import get_variable_values

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

Wire = dict[str, Any]
_QUOTED = re.compile(r"'([^']*)'")


class RequestError(Exception):
    """A request gqlgen refuses before executing it (HTTP 422 unless `status` says otherwise)."""

    def __init__(self, errors: list[Wire], status: int = 422) -> None:
        super().__init__(errors[0]["message"] if errors else "request error")
        self.errors = errors
        self.status = status

    def body(self) -> Wire:
        return {"errors": self.errors, "data": None}


@dataclass
class Operation:
    document: DocumentNode
    definition: OperationDefinitionNode
    variables: dict[str, Any]

    @property
    def kind(self) -> OperationType:
        return self.definition.operation

    @property
    def name(self) -> str | None:
        return self.definition.name.value if self.definition.name else None


def _gqlparser_message(message: str) -> str:
    return _QUOTED.sub(r'"\1"', message)


def format_error(err: GraphQLError, code: str | None = None) -> Wire:
    """gqlerror.Error's JSON: message, path, locations, extensions (empty ones omitted)."""
    out: Wire = {"message": err.message}
    if err.path:
        out["path"] = list(err.path)
    elif err.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
    extensions = dict(err.extensions or {})
    if code:
        extensions["code"] = code
    if extensions:
        out["extensions"] = extensions
    return out


def _protocol_error(message: str, *, path: list[Any] | None = None) -> Wire:
    out: Wire = {"message": message}
    if path:
        out["path"] = path
    out["extensions"] = {"code": VALIDATION_FAILED}
    return out


def prepare(schema: GraphQLSchema, query: str | None, operation_name: str | None,
            variables: dict[str, Any] | None) -> Operation:
    """Parse, validate and pick the operation, or raise RequestError shaped as gqlgen's."""
    if not query or not query.strip():
        raise RequestError([_protocol_error("no operation provided")])
    try:
        document = parse(query)
    except GraphQLSyntaxError as err:
        message = _gqlparser_message(err.message.removeprefix("Syntax Error: ").removesuffix("."))
        raise RequestError([format_error(GraphQLError(message, source=err.source, positions=err.positions),
                                         PARSE_FAILED)]) from None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        raise RequestError([_protocol_error("no operation provided")])
    errors = validate(schema, document)
    if errors:
        raise RequestError([
            format_error(GraphQLError(_gqlparser_message(e.message), e.nodes, e.source, e.positions),
                         VALIDATION_FAILED)
            for e in errors
        ])
    name = operation_name or ""
    chosen = operations[0] if not name and len(operations) == 1 else next(
        (op for op in operations if (op.name.value if op.name else "") == name), None)
    if chosen is None:
        raise RequestError([_protocol_error(f"operation {name} not found")])
    variables = dict(variables or {})
    _check_variables(schema, chosen, variables)
    return Operation(document, chosen, variables)


def _check_variables(schema: GraphQLSchema, op: OperationDefinitionNode, variables: dict[str, Any]) -> None:
    definitions = op.variable_definitions or ()
    for definition in definitions:
        name = definition.variable.name.value
        required = isinstance(definition.type, NonNullTypeNode) and definition.default_value is None
        if required and name not in variables:
            raise RequestError([_protocol_error("must be defined", path=["variable", name])])
        if isinstance(definition.type, NonNullTypeNode) and name in variables and variables[name] is None:
            raise RequestError([_protocol_error("cannot be null", path=["variable", name])])
    coerced = get_variable_values(schema, definitions, variables, max_errors=1)
    if isinstance(coerced, list) and coerced:
        err = coerced[0]
        node = next((n for n in err.nodes or () if isinstance(n, VariableDefinitionNode)), None)
        path = ["variable", node.variable.name.value] if node else None
        raise RequestError([_protocol_error(_gqlparser_message(err.message), path=path)])


def response(result: ExecutionResult) -> Wire:
    """graphql.Response's JSON: `errors` first and only when there are some, then `data`."""
    if result.errors:
        return {"errors": [format_error(e) for e in result.errors], "data": result.data}
    return {"data": result.data}


def execute_query(schema: GraphQLSchema, op: Operation, context: Any) -> Wire:
    result = execute(schema, op.document, context_value=context, variable_values=op.variables,
                     operation_name=op.name)
    if isawaitable(result):  # pragma: no cover - every resolver here is synchronous
        raise RuntimeError("unexpected asynchronous execution")
    return response(result)


async def open_stream(schema: GraphQLSchema, op: Operation, context: Any) -> AsyncIterator[Wire] | Wire:
    """A subscription's stream of responses, or one response if it could not start."""
    result = subscribe(schema, op.document, context_value=context, variable_values=op.variables,
                       operation_name=op.name)
    if isawaitable(result):
        result = await result
    if isinstance(result, ExecutionResult):
        return response(result)
    return _responses(result)


async def _responses(stream: AsyncIterator[ExecutionResult]) -> AsyncIterator[Wire]:
    try:
        async for result in stream:
            yield response(result)
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()
