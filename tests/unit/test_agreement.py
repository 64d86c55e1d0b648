"""Answer agreement: what online calibration takes for a label."""

from __future__ import annotations

import json

import pytest

from cascadeflow.domain.agreement import compare_answers

MULTIPLE_CHOICE = "Which is a prime?\nA. 4\nB. 7\nC. 9\nD. 15\nAnswer:"


@pytest.mark.parametrize(
    "draft,reference,agree",
    [
        ("The answer is (B).", "B. 7 is prime because it has no divisors but 1 and itself.", True),
        ("B", "Let's think: 4=2*2, 9=3*3, 15=3*5. The answer is (B)", True),
        ("The answer is (C)", "The answer is (B)", False),
        ("Seven: 7 is prime.", "(B)", False),  # no letter the draft states: not the same pick
        ("I'd say 9 looks prime... no. The answer is B", "answer: B", True),
    ],
)
def test_multiple_choice_compares_the_picked_letter(draft: str, reference: str, agree: bool) -> None:
    result = compare_answers(MULTIPLE_CHOICE, draft, reference)
    assert (result.agree, result.method) == (agree, "choice")


@pytest.mark.parametrize(
    "draft,reference,agree",
    [
        ("3 x 60 = <<3*60=180>>180; 180 x 3 = <<180*3=540>>540\n#### 540",
         "So he runs 180 * 3 = 540 meters a week.", True),
        ("He runs 540 meters.", "The total is 1,540 meters.", False),
        # a stated answer beats numbers written after it
        ("The answer is 12. (Checking: 12 = 3 * 4.)", "#### 12", True),
        ("#### 12.0", "The answer is 12", True),
        # an unstated result closing on the question's own quantities: the result is read
        # after "=" or a result verb of the closing sentence, never from an operand
        ("2400 + 600 = 3000\n#### 3000", "In total, the factory makes 2400 + 600 = 3000 quarts in 48 hours.", True),
        ("#### 50", "It walks 1 mile.\n\nSo, it takes Grandma 50 minutes to walk the entire 3-mile way.", True),
        ("#### 17", "He will be 51 / 3 = 17 then.\n\nSo the nephew is 17 - 7 = 10 years old today.", False),
        ("#### 2400", "In total, the factory makes 2400 + 600 = 3000 quarts in 48 hours.", False),
        # a step before the closing sentence's last result is no result: one step too few
        ("#### 15", "She has 20 - 5 = 15 apples, and after buying 3 more she has 15 + 3 = 18 apples.", False),
        ("#### 3", "The first takes 3 hours and the second 5 hours, so the difference is 2 hours.", False),
        ("#### 5", "x = 5, so y = 2x = 10.", False),
        # two unstated results: their last numbers, as before
        ("It takes 50 minutes for the 3-mile walk.", "She needs 50 minutes for the 3-mile walk.", True),
    ],
)
def test_worked_answers_compare_the_final_number(draft: str, reference: str, agree: bool) -> None:
    result = compare_answers("James runs 3 sprints 3 times a week, 60 meters each. Total?", draft, reference)
    assert (result.agree, result.method) == (agree, "number")


def test_json_answers_compare_as_data_and_ignore_prose_fields() -> None:
    query = 'Answer as JSON: {"reasoning": "...", "answer": "..."}'
    mine = {"reasoning": "Twelve eggs a dozen, so three dozen are thirty-six eggs in all here.", "answer": "36"}
    theirs = {"answer": "36", "reasoning": "3 * 12 = 36, which is the number of eggs the farmer has."}
    # wrapped in prose, with LaTeX escapes and raw newlines inside a string, as models write it
    wrapped = 'Final answer:\n```json\n{"reasoning": "We use \\(3 \\times 12\\)\nto get it", "answer": "36"}\n```'
    assert compare_answers(query, json.dumps(mine), json.dumps(theirs)).agree is True
    assert compare_answers(query, wrapped, json.dumps(theirs)).agree is True
    # LaTeX's line break written as an escaped backslash, then a loose one: "\\\\&" is
    # an escaped backslash and a "&", "\\[" a backslash JSON does not know
    latex = '```json\n{"reasoning": "$x \\\\& y$ \\[z\\]", "answer": "36"}\n```'
    assert compare_answers(query, latex, json.dumps(theirs)).agree is True
    arrow = '{"reasoning": "$x \\uparrow$ then \\underline{y}", "answer": "36"}'  # \u without hex digits
    assert compare_answers(query, arrow, json.dumps(theirs)).agree is True
    assert compare_answers(query, json.dumps({**mine, "answer": "35"}), json.dumps(theirs)).agree is False
    assert compare_answers(query, "thirty-six", json.dumps(theirs)).agree is False
    tool = {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}
    assert compare_answers("weather?", json.dumps(tool),
                           json.dumps({"arguments": {"unit": "celsius", "city": "Paris"},
                                       "name": "get_weather"})).agree is True
    assert compare_answers("weather?", json.dumps(tool),
                           json.dumps({**tool, "arguments": {"city": "Lyon", "unit": "celsius"}})).agree is False


CODE_OUTPUT = ("Complete the assertion with the output.\n[PYTHON]\ndef f(nums):\n"
               "    return sorted(nums)\nassert f([3, 1]) == ??\n[/PYTHON]")


@pytest.mark.parametrize(
    ("mine", "theirs", "agree"),
    [
        ("[(3, 1), (2, 3)]", "[(4, 1), (4, 1), (2, 3)]", False),  # brackets are the answer
        ("['74', 31]", "[('74', 31)]", False),
        ("{'foo': 'bar'}", "{'foo': ['bar']}", False),
        ("(1, 2)", "[1, 2]", False),  # a tuple is not a list
        ("0", "[0]", False),
        ("'                '", "'           '", False),  # spaces counted
        ("                ", "'           '", False),
        ("1oE-ErrBzz-Bmm", "1Oe-ErrBzz-Bmm", False),  # a program's output: case counts
        ("aa___bb", "aa++___bb", False),
        ("['gloss', 'barn']", '["gloss", "barn"]', True),  # the same value, quoted otherwise
        ("{'a': -1, 'b': 0}", "{'b': 0, 'a': -1}", True),
        ("'CW'", "CW", True),  # quoted or not
        ("8.50", "8.5", True),
    ],
)
def test_literal_answers_compare_as_the_values_they_write(mine: str, theirs: str, agree: bool) -> None:
    answer = lambda value: json.dumps({"reasoning": "I traced the loop step by step.", "answer": value})  # noqa: E731
    result = compare_answers(CODE_OUTPUT, answer(mine), answer(theirs))
    assert (result.agree, result.method) == (agree, "json")


@pytest.mark.parametrize(
    ("mine", "theirs", "agree"),
    [
        ("Paris.", "paris", True),
        ("The city of Paris", "Lyon", False),
        ("A", "a", True),  # a letter, not an article to drop
        ("A", "(A)", True),
        ("'Paris'", "paris", True),  # quoted or not
        ("(1, 2)", "1, 2", True),
        ("['Paris', 'London']", "['paris', 'london']", True),  # data, its words as short answers
        ("[(3, 1), (2, 3)]", "[(4, 1), (2, 3)]", False),
    ],
)
def test_short_json_answers_outside_code_still_ignore_case_and_punctuation(
        mine: str, theirs: str, agree: bool) -> None:
    # a JSON example in the prompt does not make it a question about code
    query = 'Capital of France? Reply with JSON like:\n{\n  "answer": "<name>"\n}'
    answer = lambda value: json.dumps({"answer": value})  # noqa: E731
    assert compare_answers(query, answer(mine), answer(theirs)).agree is agree


def test_code_compares_syntax_trees() -> None:
    query = "Write a function that adds two numbers."
    reference = "```python\ndef add(a, b):\n    return a + b\n```"
    same = "Here you go:\n```python\ndef add(a, b):\n    '''Sum of a and b.'''\n    return (a + b)  # add\n```"
    other = "```python\ndef add(x, y):\n    total = x + y\n    return total\n```"
    assert compare_answers(query, same, reference).agree is True
    # two different programs may both be right: undecided, a judge must say
    assert compare_answers(query, other, reference).agree is None
    assert compare_answers(query, "Just use the + operator.", reference).agree is False


@pytest.mark.parametrize(
    "draft,reference,agree",
    [
        ("Paris.", "paris", True),
        ("The Eiffel Tower", "Eiffel tower!", True),
        ("It is Paris", "Paris", True),
        ("London", "Paris", False),
    ],
)
def test_short_answers_compare_normalised_words(draft: str, reference: str, agree: bool) -> None:
    result = compare_answers("What is the capital of France?", draft, reference)
    assert (result.agree, result.method) == (agree, "short answer")


def test_long_free_text_is_left_to_a_judge() -> None:
    essay = " ".join(["The committee weighed the costs and the benefits of the proposal."] * 5)
    other = " ".join(["Several members argued that the plan would cost more than it saves."] * 5)
    assert compare_answers("Summarise the meeting.", essay, other).agree is None
    assert compare_answers("Summarise the meeting.", "", other).agree is False


def test_a_judges_reply_is_read_and_long_texts_are_cut() -> None:
    from cascadeflow.domain.agreement import JUDGE_CHARS, judge_prompt, read_judgement

    assert read_judgement("SAME") is True and read_judgement("different.") is False
    assert read_judgement("Verdict: **SAME**") is True and read_judgement("I cannot tell") is None
    system, user = judge_prompt("Summarise.", "x" * 50_000, "short")
    assert "SAME" in system and "DIFFERENT" in system
    assert len(user) < 3 * JUDGE_CHARS and "[…]" in user and user.endswith("(SAME or DIFFERENT):")


def test_a_dialogue_is_not_a_multiple_choice_question() -> None:
    from cascadeflow.domain.agreement import options_of

    assert options_of("A: Are we still meeting at 5?\nB: Yes, see you.\nA: Great.\nSummarise this.") == {}
    assert options_of("Pick one.\nA. 4\nC. 9") == {}  # a letter skipped
    assert options_of(MULTIPLE_CHOICE) == {"A": "4", "B": "7", "C": "9", "D": "15"}
