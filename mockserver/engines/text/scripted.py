"""The reply source of a scripted answer: a :class:`TextOutcome` from a :class:`Script`.

The prose engine (:mod:`.engine`) writes text and draws tool calls; a scripted answer
gives them instead, and everything else is counted the same way: input tokens from the
conversation, output tokens from the scripted text and calls, stop sequences and the
token cap applied to the text. Scripted tool-call arguments are checked against the
schema of the tool the request offers (and a scripted JSON answer against the requested
``response_format`` schema): a call to a tool not offered, or a value that does not
validate, is a 400 naming the rule and the field, never sent.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from mockserver.engines.script import Script, ScriptedCall
from mockserver.engines.text.engine import TextOutcome, ToolCall, cut_text, prompt_tokens
from mockserver.engines.text.request import MESSAGES, TextRequest
from mockserver.enrichment.usage import estimate_tokens
from mockserver.errors import GatewayFailure, ValidationDetail
from mockserver.validation.schemas import value_errors


def scripted_answer(
    request: TextRequest, script: Script, rng: random.Random, new_call_id: Callable[[random.Random], str]
) -> TextOutcome:
    """What the model answers when a reply rule scripts it."""
    calls = [_tool_call(request, script, index, call, rng, new_call_id) for index, call in enumerate(script.tool_calls)]
    input_tokens = prompt_tokens(request)
    text = _text(request, script)
    if calls:
        # Only Messages sends text beside tool calls (a text block before the tool_use blocks).
        text = text if request.surface == MESSAGES else ""
        call_tokens = sum(estimate_tokens(call.name) + estimate_tokens(call.arguments_json) for call in calls)
        return TextOutcome(
            text=text,
            finish="tool_calls",
            input_tokens=input_tokens,
            output_tokens=call_tokens + estimate_tokens(text),
            tool_calls=calls,
            input_images=request.images,
        )
    text, finish, sequence = cut_text(text, request.stop, request.max_output)
    return TextOutcome(
        text=text,
        finish=finish,
        input_tokens=input_tokens,
        output_tokens=estimate_tokens(text),
        stop_sequence=sequence,
        input_images=request.images,
    )


def _text(request: TextRequest, script: Script) -> str:
    if not script.has_value:
        return script.text or ""
    if request.output_schema is not None:  # a structured answer must fit the requested format
        errors = value_errors(request.output_schema, script.value, ["reply", script.rule, "json"])
        if errors:
            prefix = f"reply rule {script.rule!r}: json does not match the response format's schema: "
            raise _invalid([ValidationDetail(prefix + e.message, e.path, e.keyword, e.params) for e in errors])
    return json.dumps(script.value, ensure_ascii=False)


def _tool_call(
    request: TextRequest,
    script: Script,
    index: int,
    call: ScriptedCall,
    rng: random.Random,
    new_call_id: Callable[[random.Random], str],
) -> ToolCall:
    where: list[str | int] = ["reply", script.rule, "tool_calls", index]
    tool = next((tool for tool in request.tools if tool.name == call.name), None)
    if tool is None:
        offered = ", ".join(t.name for t in request.tools) or "none"
        message = f"reply rule {script.rule!r} calls tool {call.name!r}, which the request does not offer ({offered})"
        raise _invalid([ValidationDetail(message, [*where, "name"], "tool_not_offered")])
    errors = value_errors(tool.parameters, call.arguments, [*where, "arguments"])
    if errors:
        details = [
            ValidationDetail(
                f"reply rule {script.rule!r}: arguments of {call.name} do not match the tool's schema: "
                + detail.message,
                detail.path,
                detail.keyword,
                detail.params,
            )
            for detail in errors
        ]
        raise _invalid(details)
    return ToolCall(call.call_id or new_call_id(rng), call.name, call.arguments)


def _invalid(details: list[ValidationDetail]) -> GatewayFailure:
    return GatewayFailure(400, "scripted_reply_invalid", details=details)
