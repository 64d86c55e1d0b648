"""Do two answers to the same query say the same thing? The label of online calibration.

No ground truth is needed: a draft that agrees with the verifier's answer is as good as
it, as far as anyone can tell without labels. Each extractor reads one kind of answer
and compares what matters in it, not the wording:

- ``choice``: the option letter of a multiple-choice question;
- ``json``: JSON values (tool calls, structured output), compared as data;
- ``code``: Python code, compared by its syntax tree (comments, spacing and quoting ignored);
- ``number``: the final number of a worked answer, when the query holds numbers;
- ``short answer``: a few words, compared after normalising case, punctuation and articles.

Anything else (long free text) is undecided here: ``agree`` is None and a judge model
must decide, or the pair gives no label.
"""

from __future__ import annotations

import ast
import json
import re
import string
from dataclasses import dataclass

from cascadeflow.domain.draft_features import number, stated_answer

__all__ = ["Agreement", "compare_answers", "extract_choice", "final_number", "normalise_short"]

# Options listed one per line: "A. text", "(B) text", "C) text", "D: text"
_OPTION_LINE = re.compile(r"^\s*\(?([A-J])[).:]\s+(\S.*)$", re.M)
_CHOICE_PATTERNS = (
    re.compile(r"answer\s*(?:is|:)?\s*(?:option\s*)?[:\-]?\s*\**\(?([A-J])\)?\**(?![A-Za-z])", re.I),
    re.compile(r"^\s*\**\(?([A-J])\)?\**\s*(?:[.):\-]|$)", re.M),
    re.compile(r"(?:option|choice)\s*\(?([A-J])\)?(?![A-Za-z])", re.I),
    re.compile(r"\(([A-J])\)"),
)
_CODE_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)```", re.S)
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)
SHORT_WORDS = 12  # an answer of at most this many words is compared as a short answer


@dataclass(frozen=True, slots=True)
class Agreement:
    """``agree`` None: the texts cannot be compared without a judge."""

    agree: bool | None
    method: str


def options_of(query: str) -> dict[str, str]:
    """The lettered options of a multiple-choice query: two or more, from A on, each
    letter once and none skipped (empty otherwise: a dialogue's "A: ... B: ... A: ..."
    lines are no options)."""
    lines = _OPTION_LINE.findall(query)
    found = {letter: text.strip() for letter, text in lines}
    letters = sorted(found)
    if len(letters) < 2 or len(lines) != len(letters) or "".join(letters) != "ABCDEFGHIJ"[:len(letters)]:
        return {}
    return found


def extract_choice(answer: str, options: dict[str, str]) -> str | None:
    """The option an answer picks: a stated letter, else the one option whose text it quotes."""
    for pattern in _CHOICE_PATTERNS:
        picked = [m for m in pattern.findall(answer) if m in options]
        if picked:
            return str(picked[-1] if pattern is _CHOICE_PATTERNS[0] else picked[0])
    stripped = answer.strip().rstrip(".").strip()
    if stripped in options:
        return stripped
    lowered = answer.lower()
    quoted = [letter for letter, text in options.items() if len(text) > 2 and text.lower() in lowered]
    return quoted[0] if len(quoted) == 1 else None


_DECODER = json.JSONDecoder(strict=False)  # raw newlines inside strings are common
# LaTeX in a JSON string (\\frac, \\( ...) is an invalid escape: read it as a backslash.
# Matched left to right: a JSON escape (kept) or a backslash that starts none (doubled),
# so the second backslash of an escaped one is never doubled
_ESCAPE_OR_LOOSE = re.compile(r'\\(["\\/bfnrt]|u[0-9a-fA-F]{4})|\\')
_JSON_SCAN_CHARS = 20_000  # longer answers are not searched for a JSON value


def _escaped(match: re.Match[str]) -> str:
    return match.group(0) if match.group(1) else "\\\\"


def _json_value(text: str) -> object | None:
    """The answer's JSON value: the whole text, else its last fenced JSON block, else the
    last object or array that parses inside the text (models wrap JSON in prose)."""
    stripped = text.strip()
    if not stripped or len(stripped) > _JSON_SCAN_CHARS:
        return None
    if "\\" in stripped:
        stripped = _ESCAPE_OR_LOOSE.sub(_escaped, stripped)
    blocks = [body for lang, body in _CODE_FENCE.findall(stripped) if lang.lower() in ("json", "")]
    for candidate in [stripped] + blocks[::-1]:
        candidate = candidate.strip()
        if candidate[:1] in ("{", "["):
            try:
                value: object = _DECODER.decode(candidate)
                return value
            except ValueError:
                pass
    found: object | None = None
    position = stripped.find("{")
    while position != -1:
        try:
            found, end = _DECODER.raw_decode(stripped, position)
            position = stripped.find("{", end)
        except ValueError:
            position = stripped.find("{", position + 1)
    return found


def _python_tree(text: str) -> str | None:
    """The syntax tree of the answer's Python code (its fenced blocks, else the whole
    text when it parses and looks like code), or None."""
    blocks = [body for lang, body in _CODE_FENCE.findall(text) if lang.lower() in ("", "python", "py", "python3")]
    source = "\n".join(blocks) if blocks else text
    if not blocks and not re.search(r"^\s*(?:def|class|import|from|return|for|while|if)\b", text, re.M):
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):  # docstrings are prose: leave them out of the comparison
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            body.pop(0)
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def final_number(answer: str) -> float | None:
    """The answer's stated result: after ``####``, ``\\boxed{}`` or "the answer is", else
    the last number it writes."""
    stated = stated_answer(answer)
    if stated is not None:
        return stated
    numbers = _NUMBER.findall(answer)
    return number(numbers[-1]) if numbers else None


# A worked answer that states no result (no ``####``, ``\\boxed{}`` or "the answer is")
# often closes on a sentence that restates the question's quantities after its result
# ("... 3000 quarts of ice cream in 48 hours"): its last number is not always its result.
CLOSING_CHARS = 2000  # the closing sentence is looked for in the answer's last characters
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_AFTER_EQUALS = re.compile(r"=\s*\$?\s*(-?\d[\d,]*(?:\.\d+)?)")
# a number a result verb introduces (within two words), not an operand of a sum
_CUED = re.compile(
    r"\b(?:is|are|was|were|be|equals?|costs?|takes?|took|total(?: of)?|needs?|has|have|had|pays?|paid|"
    r"spends?|spent|earns?|earned|gets?|got|sells?|sold|remains?|left with|ends? up with)\s+"
    r"(?:[A-Za-z]+\s+){0,2}?\$?\s*(-?\d[\d,]*(?:\.\d+)?)(?![\d,.]*\d)(?!\s*[-+*/x×÷]\s*\$?\d)")


def closing_results(answer: str) -> tuple[list[float], bool]:
    """What an answer may give as its result, and whether it states it: the stated
    result alone; else its last number, and in its closing sentence the last result
    after "=" and the last number a result verb introduces ("it takes Grandma 50
    minutes")."""
    stated = stated_answer(answer)
    if stated is not None:
        return [stated], True
    numbers = _NUMBER.findall(answer)
    if not numbers:
        return [], False
    found = [number(numbers[-1])]
    tail = answer[-CLOSING_CHARS:].strip()
    closing = next((part for part in reversed(_SENTENCE_END.split(tail)) if _NUMBER.search(part)), "")
    # the sentence's last result only: its earlier ones are steps ("15 + 3 = 18")
    found += [number(text) for text in _AFTER_EQUALS.findall(closing)[-1:]]
    found += [number(text) for text in _CUED.findall(closing)[-1:]]
    return [n for n in found if n is not None], False


def _same_result(draft: tuple[list[float], bool], reference: tuple[list[float], bool]) -> bool:
    """Two worked answers (their ``closing_results``) give the same result: both stated,
    or both unstated and closing on the same number, alike; one stated and the other
    unstated when the stated result is among the other's closing results."""
    (mine, mine_stated), (theirs, theirs_stated) = draft, reference
    if not mine or not theirs:
        return False
    if mine_stated == theirs_stated:
        return _same_number(mine[0], theirs[0])
    stated, other = (mine[0], theirs) if mine_stated else (theirs[0], mine)
    return any(_same_number(stated, n) for n in other)


def normalise_short(answer: str) -> str:
    text = answer.lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


# Fields that hold the way to an answer, not the answer: never compared.
PROSE_KEYS = frozenset({"reasoning", "explanation", "rationale", "thought", "thoughts", "thinking",
                        "analysis", "justification", "steps", "solution_steps", "notes", "comment"})


def _same_data(mine: object, theirs: object, exact: bool = False) -> bool:
    """JSON values equal as data. Prose (a field named like ``reasoning``, or two long
    strings) is not compared; short strings are compared as short answers, or ``exact``ly
    (a question about code, whose answer is a program's value: case and punctuation count)."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        return mine.keys() == theirs.keys() and all(
            str(k).lower() in PROSE_KEYS or _same_data(mine[k], theirs[k], exact) for k in mine)
    if isinstance(mine, list) and isinstance(theirs, list):
        return len(mine) == len(theirs) and all(_same_data(a, b, exact) for a, b in zip(mine, theirs))
    if isinstance(mine, str) and isinstance(theirs, str):
        return _same_string(mine, theirs, exact)
    if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)) and not isinstance(mine, bool):
        return not isinstance(theirs, bool) and _same_number(float(mine), float(theirs))
    return mine == theirs


def _same_string(mine: str, theirs: str, exact: bool = False) -> bool:
    """Two strings of JSON. When both write Python literals of containers (a list, a
    tuple, a dict: a program's output, say), they are compared as the values they write,
    where brackets, quotes and spaces are the answer. On a question about code
    (``exact``) every string is such a value: a quoted one is unquoted, and case,
    punctuation and spaces count. Otherwise strings are short answers (case,
    punctuation and articles aside) or numbers, as before."""
    a, b = _literal(mine), _literal(theirs)
    if isinstance(a, _CONTAINERS) and isinstance(b, _CONTAINERS):
        return _same_literal(a, b, exact)
    if not exact:
        return _same_short(mine, theirs)
    if a is _NOT_LITERAL and b is _NOT_LITERAL:
        return _same_plain(mine, theirs)
    va, vb = (mine if a is _NOT_LITERAL else a), (theirs if b is _NOT_LITERAL else b)
    if isinstance(va, str) and isinstance(vb, str):
        return _same_plain(va, vb)
    if isinstance(va, _CONTAINERS) or isinstance(vb, _CONTAINERS):
        return False  # a container against a scalar or plain text
    return _same_plain(str(va), str(vb))


def _same_short(mine: str, theirs: str) -> bool:
    a, b = normalise_short(mine), normalise_short(theirs)
    if len(a.split()) > SHORT_WORDS or len(b.split()) > SHORT_WORDS:
        return True
    return a == b or _same_number_text(mine, theirs)


def _same_plain(mine: str, theirs: str) -> bool:
    """Exactly the same text, or the same number written otherwise (8.50 and 8.5)."""
    x, y = number(mine.strip()), number(theirs.strip())
    return mine == theirs or (x is not None and y is not None and _same_number(x, y))


_NOT_LITERAL = object()
_CONTAINERS = (list, tuple, dict, set)
_LITERAL_START = ("[", "(", "{", "'", '"')
_LITERAL_CHARS = 2_000  # longer strings are not parsed as literals (parsing is not free)


def _literal(text: str) -> object:
    """The Python literal ``text`` writes when it starts like a container or a quoted
    string, else _NOT_LITERAL (a bare number or word is compared as text)."""
    stripped = text.strip()
    if not stripped.startswith(_LITERAL_START) or len(stripped) > _LITERAL_CHARS:
        return _NOT_LITERAL
    try:
        return ast.literal_eval(stripped)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return _NOT_LITERAL


def _same_literal(mine: object, theirs: object, exact: bool) -> bool:
    """Literal values equal as a program would print them: a tuple is not a list, numbers
    by value, strings as ``_same_string`` compares them."""
    if isinstance(mine, bool) or isinstance(theirs, bool):
        return type(mine) is type(theirs) and mine == theirs
    if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)):
        return _same_number(float(mine), float(theirs))
    if isinstance(mine, str) and isinstance(theirs, str):
        return _same_plain(mine, theirs) if exact else _same_short(mine, theirs)
    if type(mine) is not type(theirs):
        return False
    if isinstance(mine, (list, tuple)):
        assert isinstance(theirs, (list, tuple))
        return len(mine) == len(theirs) and all(_same_literal(x, y, exact) for x, y in zip(mine, theirs))
    if isinstance(mine, dict):
        assert isinstance(theirs, dict)
        return mine.keys() == theirs.keys() and all(_same_literal(mine[k], theirs[k], exact) for k in mine)
    return mine == theirs


def _same_number_text(mine: str, theirs: str) -> bool:
    x, y = _number_only(mine), _number_only(theirs)
    return x is not None and y is not None and _same_number(x, y)


# a question about code shows code: a fence, a definition, an import or an assertion
# (a JSON example's braces do not make a question about code)
_CODE_QUESTION = re.compile(r"```|\[PYTHON\]|^\s*(?:def|class|import|assert)\s|^\s*from\s+\S+\s+import\s", re.M)


def about_code(query: str) -> bool:
    """Whether ``query`` asks about code, whose answers are a program's values."""
    return _CODE_QUESTION.search(query) is not None


def _number_only(text: str) -> float | None:
    found = _NUMBER.findall(text)
    return number(found[0]) if len(found) == 1 else None


def _same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def compare_answers(query: str, draft: str, reference: str) -> Agreement:
    """Whether ``draft`` says what ``reference`` says, by the first extractor that reads both."""
    if not draft.strip() or not reference.strip():
        return Agreement(False, "empty")
    options = options_of(query)
    if options:
        mine, theirs = extract_choice(draft, options), extract_choice(reference, options)
        if theirs is not None:
            return Agreement(mine == theirs, "choice")
    mine_json, theirs_json = _json_value(draft), _json_value(reference)
    if theirs_json is not None:
        same = mine_json is not None and _same_data(mine_json, theirs_json, about_code(query))
        return Agreement(same, "json")
    theirs_code = _python_tree(reference)
    if theirs_code is not None:
        mine_code = _python_tree(draft)
        # two different programs may both be right: only a same tree (or no code) decides
        if mine_code == theirs_code:
            return Agreement(True, "code")
        if mine_code is None:
            return Agreement(False, "code")
        return Agreement(None, "code")
    if _NUMBER.search(query):
        closing = closing_results(reference)
        if closing[0]:
            return Agreement(_same_result(closing_results(draft), closing), "number")
    short_mine, short_theirs = normalise_short(draft), normalise_short(reference)
    if len(short_theirs.split()) <= SHORT_WORDS and len(short_mine.split()) <= SHORT_WORDS:
        same = short_mine == short_theirs or (
            bool(short_theirs) and bool(short_mine)
            and (f" {short_theirs} " in f" {short_mine} " or f" {short_mine} " in f" {short_theirs} ")
        )
        return Agreement(same, "short answer")
    return Agreement(None, "text")


JUDGE_CHARS = 6000  # each text a judge reads is cut to this many characters (head and tail)
_JUDGE_INSTRUCTIONS = (
    "Two answers to the same request follow. Reply with one word: SAME if the first answer "
    "is as correct, complete and useful as the second (wording may differ), DIFFERENT if it "
    "is not."
)
_VERDICT = re.compile(r"\b(SAME|DIFFERENT)\b", re.I)


def _clip(text: str) -> str:
    if len(text) <= JUDGE_CHARS:
        return text
    half = JUDGE_CHARS // 2
    return f"{text[:half]}\n[…]\n{text[-half:]}"


def judge_prompt(query: str, draft: str, reference: str) -> tuple[str, str]:
    """(system, user) messages asking a judge model whether ``draft`` is as good as
    ``reference``; long texts are cut to their head and tail."""
    return _JUDGE_INSTRUCTIONS, (f"Request:\n{_clip(query)}\n\nFirst answer:\n{_clip(draft)}\n\n"
                                 f"Second answer:\n{_clip(reference)}\n\nVerdict (SAME or DIFFERENT):")


def read_judgement(reply: str) -> bool | None:
    """The judge's verdict: True for SAME, False for DIFFERENT, None when it said neither."""
    found = _VERDICT.search(reply)
    return None if found is None else found.group(1).upper() == "SAME"
