"""The compiled path for subscription groups: each event's selection projected by generated code.

A subscription group (gateway/ws/groups.py) runs its document once per event through Strawberry's
`schema.subscribe`, which builds graphql-core executors of the schema's `execution_context_class`.
`event_schema(schema)` is the same Strawberry schema with `EventProjectingExecutor` as that class:
a group's executor plans its operation once (plan.py), and each event's executor (a copy:
graphql-core's `build_per_event_executor`) completes the event with the plan's projections, as
ProjectingExecutor (run.py) does for a query. Where there is no plan or no projection, or a
projection declines a value, graphql-core completes it as always, so errors and null propagation
stay graphql-core's. Queries keep the original schema and its standard executor.

Plans are shared by groups running the same parsed operation (Strawberry parses each document
text once), kept for the last `PLANS` operations.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

import strawberry
from graphql import DocumentNode, OperationDefinitionNode
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.api.compiled.fields import Unsupported
from gateway.api.compiled.plan import Plan
from gateway.api.compiled.run import ProjectingExecutor

PLANS = 1000


class EventProjectingExecutor(ProjectingExecutor):
    """ProjectingExecutor (its `complete_value`), with the plan found from the operation."""

    strawberry_schema: Any = None  # set on the class `event_schema` makes for its schema
    plans: OrderedDict[int, tuple[OperationDefinitionNode, Plan | None]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # graphql-core's arguments: no plan among them
        StrawberryGraphQLCoreExecutionContext.__init__(self, *args, **kwargs)
        self.plan = self._plan_of(self.operation)
        self.variant = self.plan.variant_of(self.variable_values.coerced) if self.plan is not None else ()

    def _plan_of(self, operation: OperationDefinitionNode) -> Plan | None:
        plans = self.plans
        found = plans.get(id(operation))
        if found is not None and found[0] is operation:  # the entry holds the node: its id is not reused
            plans.move_to_end(id(operation))
            return found[1]
        document = DocumentNode(definitions=(operation, *self.fragment_definitions.values()))
        try:
            plan: Plan | None = Plan(document, operation, self.strawberry_schema, events=True)
        except Unsupported:
            plan = None
        plans[id(operation)] = (operation, plan)
        if len(plans) > PLANS:
            plans.popitem(last=False)
        return plan


def event_schema(schema: strawberry.Schema) -> strawberry.Schema:
    """`schema` (shared, not rebuilt) whose subscriptions complete their events by projection."""
    executor = type("EventProjectingExecutor", (EventProjectingExecutor,),
                    {"strawberry_schema": schema, "plans": OrderedDict()})
    events = copy.copy(schema)
    events.execution_context_class = executor
    return events
