"""One cache entry per distinct document text: its parse, its validation errors, its figures.

Strawberry parses and validates every request again unless told otherwise, and its limiter
extensions build new rule classes per request (which defeats its validation cache). Here the
three are computed together once per (document text) and kept in a bounded LRU, so a repeated
document costs one dict lookup before execution, whatever its size. Only the variable-dependent
part of the cost (`limit: $n`) is computed per request.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from graphql import DocumentNode, FragmentDefinitionNode, GraphQLError, OperationDefinitionNode

from gateway.limits.figures import OperationFigures

DOCUMENTS_REMEMBERED = 1024


@dataclass
class DocumentEntry:
    """What is known of one document text; filled in as the request goes (parse, then validate)."""

    document: DocumentNode
    operations: list[OperationDefinitionNode]
    fragments: dict[str, FragmentDefinitionNode]
    errors: list[GraphQLError] | None = None  # validation errors; None: not validated yet
    figures: dict[str | None, OperationFigures] | None = None

    @classmethod
    def of(cls, document: DocumentNode) -> DocumentEntry:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        return cls(document, operations, fragments)


class DocumentCache:
    """A bounded LRU of `DocumentEntry` by document text."""

    def __init__(self, size: int = DOCUMENTS_REMEMBERED) -> None:
        self.size = size
        self._entries: OrderedDict[str, DocumentEntry] = OrderedDict()

    def get(self, text: str) -> DocumentEntry | None:
        entry = self._entries.get(text)
        if entry is not None:
            self._entries.move_to_end(text)
        return entry

    def put(self, text: str, entry: DocumentEntry) -> None:
        self._entries[text] = entry
        self._entries.move_to_end(text)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
