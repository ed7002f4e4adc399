"""The schema extension that parses, validates and measures a document once, then refuses an
operation over the limits before anything executes (so before any upstream call).

Per request it does: one LRU lookup by document text; the variable-dependent part of the cost;
comparisons. A document seen for the first time has its tokens counted at regex speed
(tokens.py) and is refused unparsed when over the limit; else it is parsed (with graphql-core's
`max_tokens` as the exact check), validated with the schema's rules, and analyzed (figures.py).

Errors leave with codes: GRAPHQL_PARSE_FAILED (syntax), GRAPHQL_VALIDATION_FAILED (validation,
an unused variable included; several operations and no `operationName`; introspection when it
is switched off), QUERY_TOO_COMPLEX with the figures that were over and their limits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from gateway.errors import QueryTooComplex
from gateway.limits.documents import DocumentCache, DocumentEntry
from gateway.limits.figures import CostModel, OperationFigures, analyze
from gateway.limits.tokens import more_tokens_than

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
_TOKEN_LIMIT = "tokens. Parsing aborted."
FIELDS_PER_COST = 40  # result fields allowed per unit of max cost (5,000 -> 200,000 fields, ~1 s of CPU)


@dataclass(frozen=True)
class Limits:
    max_depth: int = 15
    max_aliases: int = 300
    max_tokens: int = 15_000
    max_cost: int = 5_000
    introspection: bool = True

    @property
    def max_fields(self) -> int:
        return self.max_cost * FIELDS_PER_COST

    def refusal(self, figures: OperationFigures, variables: dict[str, Any] | None) -> GraphQLError | None:
        """The error for an operation over a limit, or None."""
        if figures.introspection and not self.introspection:
            return GraphQLError("Introspection is disabled on this server (GATEWAY_INTROSPECTION=off)",
                                extensions={"code": VALIDATION_FAILED})
        cost = figures.cost_with(variables)
        checks = (
            ("depth", figures.depth, "maxDepth", self.max_depth),
            ("aliases", figures.aliases, "maxAliases", self.max_aliases),
            ("cost", cost, "maxCost", self.max_cost),
            ("fields", figures.fields, "maxFields", self.max_fields),
        )
        over = [(name, value, limit_name, limit) for name, value, limit_name, limit in checks if value > limit]
        if not over:
            return None
        numbers = {"depth": figures.depth, "maxDepth": self.max_depth, "aliases": figures.aliases,
                   "maxAliases": self.max_aliases, "rootFields": figures.root_fields, "cost": cost,
                   "maxCost": self.max_cost, "fields": figures.fields, "maxFields": self.max_fields}
        message = "Query too complex: " + ", ".join(f"{n} {v} is over {limit}" for n, v, _, limit in over)
        error = QueryTooComplex(message, numbers)
        return GraphQLError(message, original_error=error, extensions=error.extensions())


class DocumentLimits(SchemaExtension):
    """One instance per operation (strawberry calls the factory); the cache is shared."""

    def __init__(self, limits: Limits, cache: DocumentCache, model: CostModel) -> None:
        self.limits, self.cache, self.model = limits, cache, model
        self.entry: DocumentEntry | None = None

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        query = ctx.query
        if query is not None and ctx.graphql_document is None:
            self.entry = self.cache.get(query)
            if self.entry is not None:
                ctx.graphql_document = self.entry.document  # strawberry skips parsing
            elif more_tokens_than(query, self.limits.max_tokens):
                ctx.parse_options["max_tokens"] = 0  # the parser refuses at the first token: no parse
            else:
                ctx.parse_options["max_tokens"] = self.limits.max_tokens
        yield
        for error in ctx.pre_execution_errors or ():
            _code_parse_error(error, self.limits.max_tokens)
        if self.entry is None and query is not None and ctx.graphql_document is not None:
            self.entry = DocumentEntry.of(ctx.graphql_document)
            self.cache.put(query, self.entry)

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        entry = self.entry
        if entry is None or ctx.pre_execution_errors is not None:
            yield
            return
        provided = getattr(ctx, "_provided_operation_name", None)
        if provided is None and len(entry.operations) > 1:
            ctx.pre_execution_errors = [GraphQLError(
                "Must provide operationName: the document contains several operations",
                extensions={"code": VALIDATION_FAILED})]
            yield
            return
        if entry.errors is None:
            errors = validate_document(ctx.schema._schema, entry.document, ctx.validation_rules)
            for error in errors:
                error.extensions = {**(error.extensions or {}), "code": VALIDATION_FAILED}
            if not errors:
                entry.figures = analyze(ctx.schema._schema, entry.operations, entry.fragments, self.model)
            entry.errors = errors
        if entry.errors:
            ctx.pre_execution_errors = list(entry.errors)
        else:
            figures = (entry.figures or {}).get(ctx.operation_name)
            refusal = self.limits.refusal(figures, ctx.variables) if figures is not None else None
            ctx.pre_execution_errors = [refusal] if refusal is not None else []
        yield


def _code_parse_error(error: GraphQLError, max_tokens: int) -> None:
    """Syntax errors get GRAPHQL_PARSE_FAILED; the parser's token limit gets QUERY_TOO_COMPLEX."""
    if error.extensions and "code" in error.extensions:
        return
    if _TOKEN_LIMIT in error.message:
        refusal = QueryTooComplex(f"Query too complex: more than {max_tokens} tokens",
                                  {"maxTokens": max_tokens})
        error.message = refusal.message
        error.extensions = refusal.extensions()
    elif error.message.startswith("Syntax Error"):
        error.extensions = {**(error.extensions or {}), "code": PARSE_FAILED}
