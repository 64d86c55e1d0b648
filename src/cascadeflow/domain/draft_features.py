"""Cheap signals read from a query and a draft answer, for scoring drafts without a model.

Every feature is a float; names are stable because fitted score models and saved
configurations refer to them. Math features read the worked arithmetic of a draft
(``3 x 60 = 180``, GSM8K's ``<<3*60=180>>``) and check it with a tiny evaluator that
only knows numbers and + - * /: model output is never executed.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping

from cascadeflow.domain.long_text import CaseBlind, scaled_count, window

_NUMBER = r"-?\d[\d,]*(?:\.\d+)?"
# The same numbers, found twice as fast: a pattern opening with a character set lets the
# regex engine skip to candidates (a digit, or a minus sign followed by one).
_NUMBER_RE = re.compile(r"[-\d](?<=\d|-(?=\d))[\d,]*(?:\.\d+)?")
_ANNOTATION = re.compile(r"<<([^=<>]+)=([^<>]+)>>")
# One way only to read each stretch of text (commas only as thousands separators, one
# run of spaces around an operator): a long list of numbers must not backtrack for ever.
_OPERAND = r"\(?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?\)?"
_INLINE = re.compile(
    r"((?:" + _OPERAND + r" ?[-+*/x×÷] ?)+" + _OPERAND + r")"
    r" ?= ?\$?(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
)
# What an inline equation has just before its "=" (an operand's last character, then at
# most one space) and just after it: a cheap test that skips every other "=".
_CAN_CLOSE = re.compile(r".?[\d%)] ?$", re.S)
_CAN_FOLLOW = re.compile(r" ?\$?-?\d")
_REACH = 200  # characters read before (and after) an "=" for an inline equation
_RESULT = re.compile(r"=\s*\$?\s*(" + _NUMBER + ")")
_HASHES = re.compile(r"####\s*\$?\s*(" + _NUMBER + ")")
_ANSWER_IS = CaseBlind(r"(?:answer|total|result)\s+is\s*:?\s*\$?\s*\**\s*(" + _NUMBER + ")",
                       cues=("answer", "total", "result"))
_BOXED = re.compile(r"\\boxed\{\s*\$?(" + _NUMBER + ")")
# Each carries words one of which every match contains (lowercased): a text with none of
# them is not searched.
_SELF_CORRECTION = CaseBlind(
    r"\b(?:wait|actually|oops|my mistake|i made a mistake|re-?calculat\w*|re-?evaluat\w*|"
    r"let me (?:re|try)\w*|correction|i apologi[sz]e|that(?:'s| is) (?:not right|incorrect))\b",
    cues=("wait", "actually", "oops", "mistake", "calculat", "evaluat", "let me", "correction",
          "apologi", "not right", "incorrect"),
)
_APPROXIMATION = CaseBlind(
    r"\b(?:approximately|roughly|round(?:ed|ing)?|nearest|estimate)\b",
    cues=("approximately", "roughly", "round", "nearest", "estimate"),
)
_REASONING = re.compile(
    r"\b(?:prove|derive|explain why|step by step|analy[sz]e|compare|design|implement|"
    r"optimi[sz]e|evaluate|justify|trade-?offs?)\b",
    re.I,
)
_ARITHMETIC_CHARS = str.maketrans({"x": "*", "×": "*", "÷": "/", ",": "", "$": "", "%": ""})
_ENUMERATION = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+", re.M)
_OPERATORS: Mapping[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
# constants a worked answer may use without taking them from the question
_COMMON_CONSTANTS = frozenset(
    {float(i) for i in range(13)} | {24.0, 30.0, 52.0, 60.0, 100.0, 365.0, 1000.0}
)

DRAFT_FEATURES: tuple[str, ...] = (
    "refusal_or_hedge", "truncated", "has_logprobs", "logprob_confidence",
    "log_length", "length_ratio", "self_corrections", "approximation",
    "math_query", "has_final_answer", "final_not_integer", "final_negative",
    "final_not_last_result", "steps", "arithmetic_checked", "arithmetic_errors",
    "question_numbers_used", "question_numbers", "unexplained_numbers",
)
QUERY_FEATURES: tuple[str, ...] = (
    "q_log_words", "q_numbers", "q_questions", "q_enumerated", "q_code",
    "q_reasoning_words", "q_percent", "q_fraction",
)


def number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "").rstrip("."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def evaluate_arithmetic(expression: str) -> float | None:
    """The value of a plain arithmetic expression, or None for anything else."""
    cleaned = expression.translate(_ARITHMETIC_CHARS)
    try:
        return _evaluate(ast.parse(cleaned, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError):
        return None


def _evaluate(node: ast.expr) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    raise ValueError("not plain arithmetic")


def _numbers(text: str) -> list[float]:
    return [n for n in (number(t) for t in _NUMBER_RE.findall(text)) if n is not None]


def _inline_equations(text: str) -> list[re.Match[str]]:
    """What ``_INLINE.finditer(text)`` finds, scanning only the stretches before and after
    each "=" (an expression longer than ``_REACH`` characters is not read): a draft's
    prose costs nothing. Every match states its result after an "=", and no expression
    holds one, so a match starts after the previous "=" it did not use."""
    found: list[re.Match[str]] = []
    start, length = 0, len(text)
    equals = text.find("=")
    while equals != -1:
        if not _CAN_CLOSE.match(text, max(0, equals - 2), equals) or not _CAN_FOLLOW.match(
            text, equals + 1
        ):  # no expression can end here, or no result follow
            start = equals + 1
            equals = text.find("=", start)
            continue
        end = min(length, equals + _REACH)
        match = _INLINE.search(text, max(start, equals - _REACH), end)
        if match is not None and match.end() > end - 8 and end < length:
            # the cut may have shortened its stated result ("7.5" read as "7"): read on
            match = _INLINE.search(text, max(start, equals - _REACH))
        if match is None:
            start = equals + 1
        else:
            found.append(match)
            start = match.end()
        equals = text.find("=", start)
    return found


def arithmetic_check(draft: str) -> tuple[int, int]:
    """(equations checked, equations whose stated result is wrong)."""
    checked = wrong = 0
    if "=" not in draft:  # every equation states its result after "=": nothing to check
        return 0, 0
    equations = [(m.group(1), m.group(2)) for m in _ANNOTATION.finditer(draft)]
    equations += [(m.group(1), m.group(2)) for m in _inline_equations(_ANNOTATION.sub("", draft))]
    for expression, stated in equations:
        value, result = evaluate_arithmetic(expression), number(stated)
        if value is None or result is None:
            continue
        checked += 1
        wrong += abs(value - result) > 1e-6 * max(1.0, abs(value)) and abs(round(value, 2) - result) > 0.011
    return checked, wrong


def final_answers(draft: str, lowered: str | None = None) -> list[float]:
    """The results a draft states as final (``####``, "the answer is", ``\\boxed{}``);
    ``lowered`` is ``draft.lower()`` when the caller has it."""
    found = (number(text) for matches in _final_matches(draft, lowered) for text in matches)
    return [n for n in found if n is not None]


def _final_matches(draft: str, lowered: str | None) -> tuple[list[str], list[str], list[str]]:
    return (_HASHES.findall(draft), _ANSWER_IS.findall(draft, lowered), _BOXED.findall(draft))


def stated_answer(draft: str) -> float | None:
    """The result a draft states last in the strongest form it uses: ``####`` first, then
    ``\\boxed{}``, then "the answer is"."""
    hashes, answer_is, boxed = _final_matches(draft, draft.lower())
    for matches in (hashes, boxed, answer_is):
        found = [n for n in (number(m) for m in matches) if n is not None]
        if found:
            return found[-1]
    return None


def draft_features(
    query: str, draft: str, logprobs: tuple[float, ...] | None = None,
    finish_reason: str | None = None, refusal_or_hedge: bool = False,
    confidence: float | None = None,
) -> dict[str, float]:
    """The DRAFT_FEATURES of one draft; math features are 0 when the query has no number.
    Long texts are scanned through ``long_text.window``; lengths count every character."""
    length, query_length = len(draft), len(query)
    draft, query = window(draft), window(query)
    lowered = draft.lower()
    question_numbers = set(_numbers(query))
    math_query = bool(question_numbers)
    finals = final_answers(draft, lowered)
    results = [n for n in (number(r) for r in _RESULT.findall(draft)) if n is not None]
    mentioned = _numbers(_ANNOTATION.sub("", draft))
    final = finals[-1] if finals else (mentioned[-1] if mentioned else None)
    checked, wrong = arithmetic_check(draft)
    unexplained = {n for n in mentioned if n not in question_numbers and n not in results
                   and n not in _COMMON_CONSTANTS}
    if confidence is None and logprobs:
        confidence = math.exp(sum(logprobs) / len(logprobs))
    on_math = float(math_query)
    return {
        "refusal_or_hedge": float(refusal_or_hedge),
        "truncated": float(finish_reason == "length"),
        "has_logprobs": float(confidence is not None),
        "logprob_confidence": 0.0 if confidence is None else confidence - 0.5,
        "log_length": math.log1p(length),
        "length_ratio": math.log1p(length) - math.log1p(query_length),
        "self_corrections": math.log1p(len(_SELF_CORRECTION.findall(draft, lowered))),
        "approximation": float(_APPROXIMATION.search(draft, lowered) is not None),
        "math_query": on_math,
        "has_final_answer": on_math * bool(finals),
        "final_not_integer": on_math * (final is not None and final != round(final)),
        "final_negative": on_math * (final is not None and final < 0),
        "final_not_last_result": on_math * bool(finals and results and finals[-1] != results[-1]),
        "steps": on_math * math.log1p(len(results)),
        "arithmetic_checked": math.log1p(checked),
        "arithmetic_errors": float(wrong),
        "question_numbers_used": on_math * (
            sum(1 for n in question_numbers if n in mentioned) / len(question_numbers)
            if question_numbers else 0.0),
        "question_numbers": math.log1p(len(question_numbers)),
        "unexplained_numbers": on_math * math.log1p(len(unexplained)),
    }


def query_features(query: str) -> dict[str, float]:
    """The QUERY_FEATURES: what can be known before any model answers."""
    length = len(query)
    query = window(query)
    return {
        "q_log_words": math.log1p(scaled_count(len(query.split()), len(query), length)),
        "q_numbers": math.log1p(len(_numbers(query))),
        "q_questions": math.log1p(query.count("?")),
        "q_enumerated": math.log1p(len(_ENUMERATION.findall(query))),
        "q_code": float("```" in query or bool(re.search(r"\bdef |\bclass |[{};]\s*$", query, re.M))),
        "q_reasoning_words": math.log1p(len(_REASONING.findall(query))),
        "q_percent": float("%" in query or "percent" in query.lower()),
        "q_fraction": float(bool(re.search(r"\b\d+/\d+\b|\bhalf\b|\bthird\b|\bquarter\b", query, re.I))),
    }

