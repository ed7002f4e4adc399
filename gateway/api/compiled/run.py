"""Running a plan on graphql-core: it executes the resolver levels, generated projections the rest.

This is the path of a plan whose levels `levels.Levels` does not run, and of the replay after a
fast run failed (`levels.Replay` then stands in the middleware's place).

`ProjectingExecutor` is Strawberry's own executor class with one method changed:
`complete_value`. Where the plan has a projection for the value being completed (its subtree is
plain attributes), the projection builds the answer in one call; where it has none, or the
projection declines a value (`Bail`: a null in a non-null position, a leaf graphql-core would
coerce or refuse), graphql-core's `complete_value` completes it as always. So everything that
decides errors (which resolver runs in which task, error order, null propagation, cancellation
of siblings after a non-null error) is graphql-core's own, and the result is the standard
executor's to the byte, only cheaper where nothing goes wrong.
"""

from __future__ import annotations

from typing import Any

from graphql import ExecutionResult, GraphQLOutputType
from graphql.execution.collect_fields import FieldDetails
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.api.compiled.plan import Plan


class ProjectingExecutor(StrawberryGraphQLCoreExecutionContext):
    plan: Plan | None  # None: nothing projected, graphql-core completes everything (events.py)
    variant: tuple[Any, ...]

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan: Plan | None = plan
        self.variant = plan.variant_of(self.variable_values.coerced)

    def complete_value(self, return_type: GraphQLOutputType, field_details_list: list[FieldDetails],
                       info: Any, path: Path, result: Any, position_context: Any) -> Any:
        plan = self.plan
        project = plan.projection(self, self.variant, return_type, field_details_list) if plan is not None else None
        if project is not None:
            try:
                return project(result)
            except Exception:  # noqa: BLE001 - Bail, or anything unforeseen: graphql-core decides
                pass
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)


async def run(executor: ProjectingExecutor) -> ExecutionResult:
    result: Any = executor.execute_operation()
    if not isinstance(result, ExecutionResult):
        result = await result
    if not isinstance(result, ExecutionResult):  # incremental delivery: refused by the plan (@defer)
        raise TypeError("an incremental result from a compiled plan")
    return result
