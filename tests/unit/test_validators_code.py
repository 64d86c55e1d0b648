"""syntax_validator and code_quality_validator: real parsers, never running the code."""

from __future__ import annotations

import pytest

from cascadeflow.routing import ValidationContext, code_quality_validator, syntax_validator

PY_ASKED = ValidationContext(query="Write a Python function that reverses a list", domain="code")


def fenced(language: str, code: str) -> str:
    return f"Here you go:\n```{language}\n{code}\n```\nHope it helps."


def test_valid_python_passes_with_the_parser_named() -> None:
    verdict = syntax_validator(fenced("python", "def rev(xs):\n    return xs[::-1]"), PY_ASKED)
    assert verdict.passed and verdict.score == 1.0 and "python" in verdict.reason


def test_python_syntax_error_fails_with_its_line() -> None:
    verdict = syntax_validator(fenced("python", "def rev(xs)\n    return xs[::-1]"), PY_ASKED)
    assert not verdict.passed and "line 1" in verdict.reason and "python" in verdict.reason


def test_code_is_parsed_not_executed(tmp_path: pytest.TempPathFactory) -> None:
    marker = f"{tmp_path}/ran"
    code = f"open({marker!r}, 'w').write('x')\nraise SystemExit(3)"
    assert syntax_validator(fenced("python", code), PY_ASKED).passed
    import os

    assert not os.path.exists(marker)


def test_unfenced_python_answer_is_found_and_checked() -> None:
    answer = "def rev(xs):\n    return xs[::-1]\n"
    assert syntax_validator(answer, PY_ASKED).passed
    assert not syntax_validator("def rev(xs):\n    return [x for x in xs\n", PY_ASKED).passed


def test_repl_transcripts_are_read_without_their_prompts() -> None:
    answer = fenced("python", ">>> xs = [1, 2]\n>>> xs[::-1]\n[2, 1]")
    assert syntax_validator(answer, PY_ASKED).passed


@pytest.mark.parametrize(
    ("language", "code", "ok"),
    [
        ("json", '{"name": "Ada", "tags": ["x"]}', True),
        ("json", '{"name": "Ada", "tags": ["x",]}', False),
        ("toml", 'name = "Ada"\n[server]\nport = 8080', True),
        ("toml", "name = \n", False),
        ("xml", "<a><b>1</b></a>", True),
        ("xml", "<a><b>1</a>", False),
        ("javascript", "function f(x) {\n  return [x, {a: 1}];\n}", True),
        ("javascript", "function f(x) {\n  return [x, {a: 1}];\n", False),
        ("java", 'class A { String s = "unterminated; }', False),
    ],
)
def test_other_languages_use_a_parser_or_a_lexical_check(language: str, code: str, ok: bool) -> None:
    context = ValidationContext(query=f"Write it in {language}", domain="code")
    assert syntax_validator(fenced(language, code), context).passed is ok


def test_no_code_where_code_was_asked_for_fails() -> None:
    verdict = syntax_validator("You could reverse the list with slicing.", PY_ASKED)
    assert not verdict.passed and "no code" in verdict.reason


def test_no_code_for_a_question_without_code_passes() -> None:
    assert syntax_validator("Paris.", ValidationContext(query="Capital of France?")).passed


def test_the_seed_one_argument_call_works() -> None:
    assert syntax_validator(fenced("python", "x = 1")).passed


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("def rev(xs):\n    # TODO: implement\n    return xs", "placeholder"),
        ("def rev(xs):\n    pass", "without a body"),
        ('def rev(xs):\n    """Reverse."""\n    ...', "without a body"),
        ("def rev(xs):\n    raise NotImplementedError", "placeholder"),
        ("def rev(xs):\n    # your code here\n    return None", "placeholder"),
    ],
)
def test_code_quality_flags_unfinished_code(code: str, problem: str) -> None:
    verdict = code_quality_validator(fenced("python", code), PY_ASKED)
    assert not verdict.passed and problem in verdict.reason


def test_code_quality_flags_an_empty_brace_body() -> None:
    context = ValidationContext(query="Write a JavaScript debounce function")
    verdict = code_quality_validator(fenced("javascript", "function debounce(fn, ms) {}"), context)
    assert not verdict.passed and "empty body" in verdict.reason


def test_code_quality_flags_the_wrong_language() -> None:
    verdict = code_quality_validator(fenced("javascript", "const rev = xs => xs.reverse();"), PY_ASKED)
    assert not verdict.passed and "python" in verdict.reason and "javascript" in verdict.reason


def test_finished_code_in_the_asked_language_passes() -> None:
    verdict = code_quality_validator(fenced("python", "def rev(xs):\n    return xs[::-1]"), PY_ASKED)
    assert verdict.passed and verdict.score == 1.0
