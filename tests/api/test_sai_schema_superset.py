"""The gateway's schema is a superset of Sai Keeper's observed schema.

graphql-core's `find_breaking_changes` treats a looser output as breaking and knows no renamed
placeholder types, so the comparison is written out: every observed root, type, field, argument,
input field and enum value must exist in the gateway's schema with a compatible type (outputs the
same or looser nullability, inputs the same or more permissive; gateway additions optional). A
difference fails the test unless `ALLOWED` lists it with its reason; an entry that no longer occurs
fails it too, so the list stays true.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from gateway.api.build import schema as gateway_schema

OBSERVED = Path(__file__).resolve().parents[1] / "fixtures" / "nibiru" / "sai-keeper-schema-observed.graphql"
# placeholder names in the observed SDL ([NAME?]) that the gateway names its own way
RENAMES = {"PerpPnlLeaderboardRow": "PerpLeaderboardEntry"}
# Sai Keeper's `Unobserved` placeholder scalar: the gateway passes such values through as JSON
UNOBSERVED = ("Unobserved", "JSON")
ALLOWED = {
    "PerpTradeHistoryItem.trade: output PerpTrade! is tighter than PerpTrade":
        "every venue's history item has its trade (the gateway maps trader and market from it)",
    "PerpLeaderboardEntry.rank: output Int! is tighter than Int":
        "the cross-venue leaderboard ranks every entry; Sai Keeper's rows have a rank too",
    "PerpLeaderboardEntry.trader: output String! is tighter than String":
        "an entry without a trader means nothing; Sai Keeper's rows carry one",
}


def _named(t: Any) -> GraphQLNamedType:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t  # type: ignore[no-any-return]


def _same_name(observed: GraphQLNamedType, ours: GraphQLNamedType) -> bool:
    return RENAMES.get(observed.name, observed.name) == ours.name or (observed.name, ours.name) == UNOBSERVED


def output_problem(observed: Any, ours: Any) -> str | None:
    if isinstance(observed, GraphQLNonNull):
        return output_problem(observed.of_type, ours.of_type if isinstance(ours, GraphQLNonNull) else ours)
    if isinstance(ours, GraphQLNonNull):
        return f"output {ours} is tighter than {observed}"
    if isinstance(observed, GraphQLList) or isinstance(ours, GraphQLList):
        if not (isinstance(observed, GraphQLList) and isinstance(ours, GraphQLList)):
            return f"output {ours} is not {observed}"
        return output_problem(observed.of_type, ours.of_type)
    return None if _same_name(observed, ours) else f"output {ours} is not {observed}"


def input_problem(observed: Any, ours: Any) -> str | None:
    if isinstance(ours, GraphQLNonNull):
        if not isinstance(observed, GraphQLNonNull):
            return f"input {ours} is stricter than {observed}"
        return input_problem(observed.of_type, ours.of_type)
    if isinstance(observed, GraphQLNonNull):
        return input_problem(observed.of_type, ours)
    if isinstance(observed, GraphQLList) or isinstance(ours, GraphQLList):
        if not (isinstance(observed, GraphQLList) and isinstance(ours, GraphQLList)):
            return f"input {ours} is not {observed}"
        return input_problem(observed.of_type, ours.of_type)
    return None if _same_name(observed, ours) else f"input {ours} is not {observed}"


def reachable(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    roots = [t for t in (schema.query_type, schema.subscription_type) if t is not None]
    seen: dict[str, GraphQLNamedType] = {}
    todo: list[GraphQLNamedType] = list(roots)
    while todo:
        t = todo.pop()
        if t.name in seen:
            continue
        seen[t.name] = t
        if isinstance(t, GraphQLObjectType | GraphQLInputObjectType):
            for f in t.fields.values():
                todo.append(_named(f.type))
                todo.extend(_named(a.type) for a in getattr(f, "args", {}).values())
    return list(seen.values())


def differences(observed: GraphQLSchema, ours: GraphQLSchema) -> list[str]:
    out: list[str] = []
    for t in reachable(observed):
        mine = ours.type_map.get(RENAMES.get(t.name, t.name))
        if t.name == "Unobserved":
            continue
        if mine is None:
            out.append(f"{t.name}: missing")
            continue
        where = mine.name
        if isinstance(t, GraphQLEnumType):
            assert isinstance(mine, GraphQLEnumType)
            out += [f"{where}.{v}: enum value missing" for v in t.values if v not in mine.values]
        elif isinstance(t, GraphQLInputObjectType):
            assert isinstance(mine, GraphQLInputObjectType)
            for name, f in t.fields.items():
                if name not in mine.fields:
                    out.append(f"{where}.{name}: input field missing")
                elif (p := input_problem(f.type, mine.fields[name].type)) is not None:
                    out.append(f"{where}.{name}: {p}")
            out += [f"{where}.{n}: required input field added" for n, f in mine.fields.items()
                    if n not in t.fields and isinstance(f.type, GraphQLNonNull) and f.default_value is None]
        elif isinstance(t, GraphQLObjectType):
            assert isinstance(mine, GraphQLObjectType)
            for name, f in t.fields.items():
                if name not in mine.fields:
                    out.append(f"{where}.{name}: field missing")
                    continue
                ours_f = mine.fields[name]
                if (p := output_problem(f.type, ours_f.type)) is not None:
                    out.append(f"{where}.{name}: {p}")
                for arg, a in f.args.items():
                    if arg not in ours_f.args:
                        out.append(f"{where}.{name}({arg}): argument missing")
                    elif (p := input_problem(a.type, ours_f.args[arg].type)) is not None:
                        out.append(f"{where}.{name}({arg}): {p}")
                out += [f"{where}.{name}({n}): required argument added" for n, a in ours_f.args.items()
                        if n not in f.args and isinstance(a.type, GraphQLNonNull)]
    return sorted(out)


def test_gateway_schema_is_a_superset_of_sai_keepers_observed_schema() -> None:
    found = differences(build_schema(OBSERVED.read_text()), gateway_schema._schema)
    unexpected = [d for d in found if d not in ALLOWED]
    assert unexpected == []
    assert sorted(ALLOWED) == [d for d in found if d in ALLOWED], "an allowed difference no longer occurs"


def test_the_comparison_notices_a_missing_field_and_a_tighter_output() -> None:
    observed = build_schema("type Query { a: Int b: String c: [Int] }")
    ours = build_schema("type Query { a: Int! c: [Int] }")
    assert differences(observed, ours) == ["Query.a: output Int! is tighter than Int", "Query.b: field missing"]


def test_generated_sai_types_match_the_observed_sdl() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_types", OBSERVED.parent / "generate_types.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.TARGET.read_text() == module.generate(), "run tests/fixtures/nibiru/generate_types.py"
