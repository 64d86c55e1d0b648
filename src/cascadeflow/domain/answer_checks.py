"""Does an answer give what the caller asked for? Checked before any quality signal: a
tool call must name an offered tool, carry JSON arguments that follow that tool's
schema and honour ``tool_choice``; with a JSON response format the text must be JSON
(following the schema, for ``json_schema``). A draft that fails is escalated, never
accepted, with the reason in its call's record.

JSON Schema itself is checked by a ``SchemaErrors`` function given by the caller (an
adapter over a maintained JSON Schema library): the domain stays free of libraries.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from cascadeflow.domain.messages import CallOptions, Completion, ToolCall

# (instance, schema) -> why the instance breaks the schema, or None when it follows it
SchemaErrors = Callable[[Any, Mapping[str, Any]], str | None]


def answer_problem(completion: Completion, options: CallOptions, schema_errors: SchemaErrors) -> str | None:
    """Why ``completion`` does not give what ``options`` ask for; None when it does."""
    if completion.tool_calls:
        return _tool_call_problem(completion.tool_calls, options, schema_errors)
    if options.tool_choice == "required":
        return "tool_choice is 'required' but the model answered with text, calling no tool"
    if (forced := options.forced_tool) is not None:
        return f"tool_choice requires a call to {forced!r} but the model answered with text"
    if completion.refusal:
        return "the model refused to answer"
    if options.wants_json:
        return _json_problem(completion.text, options, schema_errors)
    return None


def _tool_call_problem(calls: tuple[ToolCall, ...], options: CallOptions,
                       schema_errors: SchemaErrors) -> str | None:
    if not options.tools:
        return "the model called a tool, but the request offered none"
    if options.tool_choice == "none":
        return "the model called a tool although tool_choice is 'none'"
    forced = options.forced_tool
    if options.forced_tool is not None and options.forced_tool not in {c.name for c in calls}:
        return f"tool_choice requires a call to {forced!r}, the model called {calls[0].name!r}"
    if options.forwarded.get("parallel_tool_calls") is False and len(calls) > 1:
        return f"parallel_tool_calls is false but the model made {len(calls)} calls"
    for call in calls:
        tool = options.tool(call.name)
        if tool is None:
            offered = ", ".join(_name(t) for t in options.tools)
            return f"the model called {call.name!r}, which is not among the tools ({offered})"
        try:
            arguments = json.loads(call.arguments or "{}")
        except ValueError as exc:
            return f"the arguments of {call.name!r} are not JSON: {exc}"
        if not isinstance(arguments, dict):
            return f"the arguments of {call.name!r} are not a JSON object"
        schema = tool.get("parameters")
        if isinstance(schema, Mapping) and (error := schema_errors(arguments, schema)):
            return f"the arguments of {call.name!r} do not follow its schema: {error}"
    return None


def _json_problem(text: str, options: CallOptions, schema_errors: SchemaErrors) -> str | None:
    try:
        value = json.loads(text)  # as the caller will read it: a ``` fence is not JSON
    except ValueError as exc:
        return f"response_format asks for JSON, and the answer is not JSON: {exc}"
    schema = options.schema
    if schema is None:  # json_object
        return None if isinstance(value, dict) else "response_format json_object: the answer is not an object"
    if error := schema_errors(value, schema):
        return f"the answer does not follow the response schema: {error}"
    return None


def _name(tool: Mapping[str, Any]) -> str:
    return str(tool.get("function", {}).get("name", "?"))


def same_tool_calls(mine: tuple[ToolCall, ...], theirs: tuple[ToolCall, ...]) -> bool:
    """Whether two answers call the same functions with the same arguments, as data
    (key order and spacing aside), in any order. Call ids never matter."""
    return sorted(_call_key(c) for c in mine) == sorted(_call_key(c) for c in theirs)


def _call_key(call: ToolCall) -> str:
    try:
        arguments = json.dumps(json.loads(call.arguments or "{}"), sort_keys=True)
    except ValueError:
        arguments = call.arguments
    return f"{call.name}\x1f{arguments}"
