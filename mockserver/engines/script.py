"""A scripted answer: what a reply rule (``--replies``, ``/__mock/replies``) says to answer.

It is an input of synthesis, not a finished body: the text generators ask it for the text
and tool calls instead of the prose engine (:mod:`.text.scripted`), and the embeddings
generator for the vector, so usage, pricing, meta, timing and every surface's stream
framing are the same code as for a synthesized answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TEXT_OPERATIONS = frozenset({"createChatCompletion", "createResponse", "createAnthropicMessage"})
EMBEDDING_OPERATIONS = frozenset({"createEmbedding"})


@dataclass(frozen=True)
class ScriptedCall:
    """One tool call to make: the tool's name and its arguments (an object)."""

    name: str
    arguments: dict[str, Any]
    #: The call's id; None = one in the surface's style, drawn from the request's seed.
    call_id: str | None = None


@dataclass(frozen=True)
class Script:
    """The answer one reply rule gives (exactly one kind of content is set)."""

    #: The rule that answers (the journal and error messages name it).
    rule: str
    text: str | None = None
    tool_calls: tuple[ScriptedCall, ...] = ()
    #: A structured answer, sent as its JSON text (``json`` in a reply file).
    value: Any = None
    has_value: bool = False
    embedding: tuple[float, ...] | None = None

    def fits(self, operation_id: str) -> bool:
        """Whether this answer can be given by ``operation_id``."""
        if self.embedding is not None:
            return operation_id in EMBEDDING_OPERATIONS
        return operation_id in TEXT_OPERATIONS
