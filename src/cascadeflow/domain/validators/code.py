"""Code validators: does the code in an answer parse, and is it finished?

Code is parsed, never run: ``ast.parse`` for Python, ``json``/``tomllib``/``xml`` for
data formats, and a lexical check (balanced brackets, closed strings and comments)
for languages the standard library has no parser for.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
import xml.etree.ElementTree as ElementTree

from cascadeflow.domain.quality import ValidationContext, ValidationResult
from cascadeflow.domain.validators.code_blocks import CodeBlock, asked_language, extract_code

_ASKS_FOR_CODE = re.compile(
    r"\b(?:write|implement|code|function|program|script|snippet|class|method|query|regex|"
    r"algorithm|fix (?:this|the|my)|refactor)\b",
    re.I,
)
_REPL = re.compile(r"^(?:>>>|\.\.\.) ?", re.M)
_PLACEHOLDER = re.compile(
    r"\bTODO\b|\bFIXME\b|\bXXX\b|your code here|implement (?:this|me|here)|"
    r"(?:#|//)\s*\.\.\.|(?:#|//)\s*(?:rest of|more) (?:the )?code|<your [^>\n]+>|"
    r"raise NotImplementedError|throw new (?:Error|UnsupportedOperationException)\(\s*[\"']not implemented",
    re.I,
)
_EMPTY_BRACE_BODY = re.compile(r"\)\s*(?:->\s*[\w<>\[\], ]+)?\s*\{\s*(?:(?://|/\*)[^\n]*\s*)?\}")
_PAIRS = {")": "(", "]": "[", "}": "{"}
# Languages without a standard-library parser whose brackets and strings must balance.
_BRACE_LANGUAGES = frozenset({
    "javascript", "typescript", "java", "c", "cpp", "csharp", "go", "rust", "kotlin", "swift",
    "php", "css", "sql",
})
_PARSED = frozenset({"python", "json", "toml", "xml"}) | _BRACE_LANGUAGES


def _asks_for_code(context: ValidationContext) -> bool:
    return context.domain == "code" or bool(_ASKS_FOR_CODE.search(context.query))


def _parse(block: CodeBlock) -> str | None:
    """None when the block parses, else what is wrong with it."""
    language = block.language
    code = block.code
    try:
        if language == "python":
            source = _REPL.sub("", code) if ">>>" in code else code
            ast.parse(source)
        elif language == "json":
            json.loads(code)
        elif language == "toml":
            tomllib.loads(code)
        elif language == "xml":
            ElementTree.fromstring(code)
        elif language in _BRACE_LANGUAGES:
            return _lexical_problem(code, language)
    except SyntaxError as error:
        return f"python syntax error at line {error.lineno}: {error.msg}"
    except json.JSONDecodeError as error:
        return f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
    except tomllib.TOMLDecodeError as error:
        return f"invalid TOML: {error}"
    except ElementTree.ParseError as error:
        return f"invalid XML: {error}"
    return None


def _lexical_problem(code: str, language: str | None) -> str | None:
    """Unbalanced brackets or an unterminated string or block comment."""
    stack: list[str] = []
    i, n = 0, len(code)
    hash_comments = language == "php"
    while i < n:
        char = code[i]
        if code.startswith("//", i) or (language == "sql" and code.startswith("--", i)):
            i = code.find("\n", i)
            i = n if i < 0 else i
            continue
        if char == "#" and hash_comments:
            i = code.find("\n", i)
            i = n if i < 0 else i
            continue
        if code.startswith("/*", i):
            end = code.find("*/", i + 2)
            if end < 0:
                return "unterminated block comment"
            i = end + 2
            continue
        if char in "\"'`":
            end = i + 1
            while end < n and code[end] != char:
                if code[end] == "\\":
                    end += 1
                elif code[end] == "\n" and char != "`":
                    break
                end += 1
            if end >= n or code[end] != char:
                return f"unterminated string starting {code[i:i + 20]!r}"
            i = end + 1
            continue
        if char in "([{":
            stack.append(char)
        elif char in ")]}":
            if not stack or stack.pop() != _PAIRS[char]:
                return f"unbalanced {char!r} near {code[max(0, i - 20):i + 1]!r}"
        i += 1
    if stack:
        return f"{len(stack)} unclosed bracket(s) {''.join(stack)!r}"
    return None


def syntax_validator(text: str, context: ValidationContext | None = None) -> ValidationResult:
    """Finds the code in the answer and parses it; no code where code was asked for fails."""
    context = context or ValidationContext()
    blocks = extract_code(text)
    if not blocks:
        if _asks_for_code(context):
            return ValidationResult(False, 0.0, "no code found in the answer, but the question asks for code")
        return ValidationResult(True, 1.0, "no code in the answer to check")
    checked = []
    for block in blocks:
        problem = _parse(block)
        label = block.language or "unknown language"
        if block.language in _BRACE_LANGUAGES:
            label += " (brackets and strings)"
        elif block.language not in _PARSED:
            label += " (not checked: no parser at hand)"
        if problem is not None:
            return ValidationResult(False, 0.0, f"{label} block does not parse: {problem}")
        checked.append(label)
    return ValidationResult(True, 1.0, f"parsed {len(checked)} code block(s): {', '.join(checked)}")


def _empty_python_functions(code: str) -> list[str]:
    try:
        tree = ast.parse(_REPL.sub("", code))
    except SyntaxError:
        return []
    empty = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body = body[1:]
            if all(
                isinstance(s, ast.Pass)
                or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and s.value.value is ...)
                for s in body
            ):
                empty.append(node.name)
    return empty


def code_quality_validator(text: str, context: ValidationContext | None = None) -> ValidationResult:
    """Fails on placeholders and TODOs, functions without a body, and code in another
    language than the question asked for."""
    context = context or ValidationContext()
    blocks = extract_code(text)
    if not blocks:
        if _asks_for_code(context):
            return ValidationResult(False, 0.0, "no code found in the answer, but the question asks for code")
        return ValidationResult(True, 1.0, "no code in the answer to check")
    issues: list[str] = []
    for block in blocks:
        if match := _PLACEHOLDER.search(block.code):
            issues.append(f"placeholder left in the code: {match.group(0)!r}")
        if block.language == "python":
            if empty := _empty_python_functions(block.code):
                issues.append(f"function(s) without a body: {', '.join(empty)}")
        elif _EMPTY_BRACE_BODY.search(block.code):
            issues.append("a function with an empty body")
    wanted = asked_language(context.query)
    found = {b.language for b in blocks if b.language}
    if wanted and found and wanted not in found and not (wanted == "javascript" and "typescript" in found):
        issues.append(f"the question asks for {wanted}, the answer's code is {', '.join(sorted(found))}")
    if issues:
        return ValidationResult(False, max(0.0, 1.0 - 0.34 * len(issues)), "; ".join(issues))
    return ValidationResult(True, 1.0, "no placeholders, empty bodies or language mismatch")
