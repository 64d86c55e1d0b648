#!/usr/bin/env python3
"""Build cascadeflow's development traces from public recorded model answers.

Writes gzip-compressed JSON Lines trace files (the format ``cascadeflow.adapters.trace_file``
reads: one query per line with every model's answer text, ``correct``, token counts and
``cost_usd``) and the pair lists used with ``scripts/eval_pairs.py``:

* ``mmlupro.jsonl.gz`` from TIGER-AI-Lab/MMLU-Pro ``eval_results/`` (Apache License 2.0;
  the MMLU-Pro data set itself is MIT): 10-option multiple choice, 5-shot chain of thought.
  Models phi-3-mini, gemini-1.5-flash (002), mistral-7b (Instruct v0.2), llama-3.1-8b,
  llama-3.1-70b (Instruct), mixtral-8x7b (Instruct v0.1), qwen1.5-72b (Chat) and
  gemini-1.5-pro (002). A response is correct when the prediction the source extracted
  (``pred``) equals the answer; an answer the source could not read is wrong (no random
  guess). The Llama-3.1 files store ``"G"`` for outputs in which MMLU-Pro's own extractor
  (``evaluate_from_api.py``: "answer is (X)", then "Answer: X", then the last lone letter)
  finds no letter; such predictions count as unread. Rows are kept where every model
  answered the identical question (same text, options, answer key and category: result
  files were produced on different revisions of the data set). Domain by MMLU-Pro
  category: math -> math, computer science -> code, health -> medical, law -> legal,
  anything else -> general (the category is kept in ``category``).
* ``gsm.jsonl.gz``, ``math-l5.jsonl.gz``, ``crux.jsonl.gz``, ``numersense-v2.jsonl.gz``
  from WildEval/ZeroEval ``result_dirs/`` (Apache License 2.0; GSM8K is MIT, MATH is
  MIT, CRUXEval is MIT): zero-shot answers in a JSON format. ``correct`` reproduces
  ZeroEval's own scorer (``src/evaluation/math_eval.py`` for gsm, math-l5 and
  numersense-v2; ``src/evaluation/crux_eval.py`` for crux), checked against its
  ``result_dirs/<task>.summary.json`` for every model on the full file. Its sanitiser
  calls Python's ``eval`` on answers containing "/"; here a restricted arithmetic
  evaluator stands in (number literals and operators only; anything else fails as
  ``eval`` does on these answers: names, calls, containers). Domains: gsm and math-l5
  math, crux code, numersense-v2 general.
  Models (ZeroEval file -> key): gemma-2-9b-it, Meta-Llama-3.1-8B/70B-Instruct,
  Qwen2.5-72B-Instruct, gpt-3.5-turbo-0125, gpt-4o-mini-2024-07-18, gpt-4o-2024-05-13,
  claude-3-haiku-20240307, claude-3-5-sonnet-20240620, o1-mini-2024-09-12,
  gemini-1.5-flash, gemini-1.5-pro, Meta-Llama-3-8B-Instruct; each task keeps those it
  has, minus any whose file covers too few of the task's questions (see KEEP_COVERAGE).

Costs: neither source records token counts, so tokens are estimated at four characters to
a token (``ceil(len / 4)``); input tokens are those of the question text alone (the
few-shot or instruction prompt around it is not counted), output tokens those of the
recorded answer (o1-mini's hidden reasoning tokens are not recorded, so its cost is
understated). ``cost_usd`` uses the public list prices per million tokens in PRICES (late
2024; open-weight models at Together AI's serverless prices, phi-3-mini at Azure's).

Every record carries every model of its file; rows missing a model are dropped. Ids are
``mmlupro-<question_id>`` and ``<task>-<ZeroEval id>``.

Usage:

    python scripts/build_dev_traces.py --mmlu-pro PATH_TO_MIRROR_OR_CHECKOUT \\
        --zeroeval PATH --out DIR [--only mmlupro,gsm,...]

Each PATH is a bare git mirror (read with ``git show``/``git ls-tree`` at ``--rev``,
default HEAD) or a plain checkout directory. Progress and per-model accuracies go to
stderr. Also writes ``pairs_dev.txt`` and ``pairs_other.txt`` (``TRACE:DRAFTER,VERIFIER``
per line) into DIR. Stdlib only; a standalone helper, imported by nothing.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import io
import json
import math
import operator
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Record = dict[str, Any]

# --------------------------------------------------------------------------- prices

# model key -> (USD per 1M input tokens, USD per 1M output tokens), public list prices of
# late 2024. Closed models at their vendor's price for the version used; open-weight
# models at Together AI's serverless price (phi-3-mini: Azure AI).
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (5.00, 15.00),  # gpt-4o-2024-05-13
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-3.5-turbo": (0.50, 1.50),  # gpt-3.5-turbo-0125
    "o1-mini": (3.00, 12.00),
    "claude-3-haiku": (0.25, 1.25),
    "claude-3.5-sonnet": (3.00, 15.00),
    "gemini-1.5-flash": (0.075, 0.30),  # prompts up to 128k tokens
    "gemini-1.5-pro": (1.25, 5.00),  # prompts up to 128k tokens
    "llama-3.1-8b": (0.18, 0.18),  # Together, Meta-Llama-3.1-8B-Instruct-Turbo
    "llama-3.1-70b": (0.88, 0.88),  # Together, Meta-Llama-3.1-70B-Instruct-Turbo
    "llama-3-8b": (0.20, 0.20),  # Together, Llama-3-8b-chat-hf
    "qwen2.5-72b": (1.20, 1.20),  # Together, Qwen2.5-72B-Instruct-Turbo
    "qwen1.5-72b": (0.90, 0.90),  # Together, Qwen1.5-72B-Chat
    "gemma-2-9b": (0.30, 0.30),  # Together, gemma-2-9b-it
    "mixtral-8x7b": (0.60, 0.60),  # Together, Mixtral-8x7B-Instruct-v0.1
    "mistral-7b": (0.20, 0.20),  # Together, Mistral-7B-Instruct-v0.2
    "phi-3-mini": (0.13, 0.52),  # Azure AI, Phi-3-mini-4k-instruct
}
CHARS_PER_TOKEN = 4


def tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def response(key: str, query: str, text: str, correct: bool) -> Record:
    """One model's answer with estimated tokens and list-price cost."""
    price_in, price_out = PRICES[key]
    input_tokens, output_tokens = tokens(query), tokens(text)
    cost = (input_tokens * price_in + output_tokens * price_out) / 1_000_000
    return {"text": text, "correct": correct, "cost_usd": round(cost, 10),
            "input_tokens": input_tokens, "output_tokens": output_tokens}


# --------------------------------------------------------------------------- sources


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Source:
    """Files of a repository: a bare git mirror (at a revision) or a plain directory."""

    def __init__(self, path: Path, rev: str) -> None:
        self.path = path
        self.git = _is_bare_git(path)
        self.rev = rev
        if self.git:
            self.commit = self._git("rev-parse", f"{rev}^{{commit}}").decode().strip()
            log(f"{path}: bare git repository at {self.commit}")
        else:
            if not path.is_dir():
                sys.exit(f"{path}: neither a bare git repository nor a directory")
            self.commit = ""
            log(f"{path}: directory")

    def _git(self, *args: str) -> bytes:
        done = subprocess.run(["git", f"--git-dir={self.path}", *args], capture_output=True)
        if done.returncode != 0:
            raise FileNotFoundError(done.stderr.decode(errors="replace").strip())
        return done.stdout

    def read(self, name: str) -> bytes:
        if self.git:
            return self._git("show", f"{self.commit}:{name}")
        return (self.path / name).read_bytes()

    def files(self, folder: str) -> list[str]:
        """Names of the files directly in ``folder`` (not in its subfolders)."""
        if self.git:
            out = self._git("ls-tree", "-z", f"{self.commit}", f"{folder.rstrip('/')}/")
            names = []
            for entry in out.decode().split("\0"):
                if entry:
                    meta, _, name = entry.partition("\t")
                    if meta.split()[1] == "blob":
                        names.append(name.rsplit("/", 1)[-1])
            return sorted(names)
        return sorted(p.name for p in (self.path / folder).iterdir() if p.is_file())


def _is_bare_git(path: Path) -> bool:
    """A git directory itself (a mirror may lack ``config``, so not --is-bare-repository)."""
    if (path / ".git").exists() or not (path / "objects").is_dir():
        return False  # a checkout (read its files) or no repository at all
    done = subprocess.run(["git", f"--git-dir={path}", "rev-parse", "--verify", "HEAD"],
                          capture_output=True, text=True)
    return done.returncode == 0


def write_trace(path: Path, records: Iterable[Record]) -> int:
    count = 0
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for record in records:
            gz.write((json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode())
            count += 1
    return count


def coverage_keep(present: dict[str, set[str]], total: int, label: str) -> list[str]:
    """Models to keep: drop the least-covering model while the shared rows are too few."""
    keep = sorted(present)
    while len(keep) > 2:
        shared = set.intersection(*(present[k] for k in keep))
        if len(shared) >= KEEP_COVERAGE * total:
            break
        worst = min(keep, key=lambda k: len(present[k]))
        log(f"  {label}: dropping {worst} ({len(present[worst])} of {total} questions)")
        keep.remove(worst)
    return keep


KEEP_COVERAGE = 0.95  # the rows every kept model answered, as a share of the task's questions


def accuracy_line(key: str, mine: float, source: str, rows: int, kept: float) -> str:
    return f"  {key:18} acc {mine:6.2f}  source {source:>14}  | kept {rows} rows: acc {kept:6.2f}"


# --------------------------------------------------------------------------- MMLU-Pro

MMLU_PRO_FILES: dict[str, str] = {
    "phi-3-mini": "Phi-3-mini-4k-instruct",
    "gemini-1.5-flash": "gemini-1.5-flash-002",
    "mistral-7b": "Mistral-7B-Instruct-v0.2",
    "llama-3.1-8b": "Meta-Llama-3_1-8B-Instruct",
    "llama-3.1-70b": "Meta-Llama-3_1-70B-Instruct",
    "mixtral-8x7b": "Mixtral-8x7B-Instruct-v0.1",
    "qwen1.5-72b": "Qwen1.5-72B-Chat",
    "gemini-1.5-pro": "gemini-1.5-pro-002",
}
MMLU_PRO_DOMAINS = {"math": "math", "computer science": "code", "health": "medical",
                    "law": "legal"}
LETTERS = "ABCDEFGHIJKLMNOP"


_READABLE = (re.compile(r"answer is \(?[A-J]"), re.compile(r"[aA]nswer:\s*[A-J]"),
             re.compile(r"\b[A-J]\b"))


def mmlu_pro_reads_a_letter(text: str) -> bool:
    """Whether MMLU-Pro's extraction (evaluate_from_api.py: extract_answer, then
    extract_again ``.*[aA]nswer:\\s*([A-J])``, then extract_final ``\\b[A-J]\\b(?!.*\\b[A-J]\\b)``
    with DOTALL) finds a letter at all. The same three tests without their quadratic
    leading ``.*`` and look-ahead, which only choose *which* letter: each pattern matches
    somewhere exactly when its simplified form does."""
    return any(pattern.search(text) for pattern in _READABLE)


def _mmlu_pro_text(row: Record) -> str:
    """The model's whole output (``generated_text``; ``model_outputs`` in API runs)."""
    return str(row.get("generated_text", row.get("model_outputs")) or "")


def mmlu_pro_query(row: Record) -> str:
    """The question as MMLU-Pro's prompt puts it, without the 5-shot examples."""
    options = "\n".join(f"{LETTERS[i]}. {option}" for i, option in enumerate(row["options"]))
    return f"Question:\n{row['question']}\nOptions:\n{options}"


def build_mmlu_pro(source: Source, out: Path) -> tuple[int, list[str]]:
    log("MMLU-Pro")
    rows: dict[str, dict[int, Record]] = {}
    for key, stem in MMLU_PRO_FILES.items():
        name = f"eval_results/model_outputs_{stem}_5shots.zip"
        with zipfile.ZipFile(io.BytesIO(source.read(name))) as archive:
            inner = [n for n in archive.namelist() if n.endswith(".json")]
            data = json.loads(archive.read(inner[0]))
        rows[key] = {int(row["question_id"]): row for row in data}
        log(f"  {key:18} {name}: {len(data)} rows")
    total = max(len(r) for r in rows.values())
    keep = coverage_keep({k: {str(i) for i in r} for k, r in rows.items()}, total, "mmlupro")
    order = [k for k in MMLU_PRO_FILES if k in keep]
    shared = sorted(set.intersection(*(set(rows[k]) for k in order)))

    def read(row: Record) -> str | None:
        """The source's prediction, None where it read no letter."""
        pred = row.get("pred")
        if pred and not mmlu_pro_reads_a_letter(_mmlu_pro_text(row)):
            return None  # a placeholder ("G" in the Llama-3.1 files): nothing was read
        return str(pred) if pred else None

    preds = {key: {i: read(row) for i, row in rows[key].items()} for key in order}

    def same(question_id: int) -> bool:
        first = rows[order[0]][question_id]
        fields = ("question", "options", "answer", "category")
        return all(all(rows[k][question_id][f] == first[f] for f in fields) for k in order)

    ids = [i for i in shared if same(i)]
    log(f"  {len(shared)} questions answered by all {len(order)} models; "
        f"{len(shared) - len(ids)} dropped as asked differently across files")
    log("  accuracy (pred == answer, unread = wrong) on the full file; source: the same with a "
        "random guess for unread answers (expected value), as MMLU-Pro scores")
    kept = set(ids)
    verdicts = {key: {i: p is not None and p == rows[key][i]["answer"]
                      for i, p in preds[key].items()} for key in order}
    for key in order:
        guessed = sum(1 / len(rows[key][i]["options"]) for i, p in preds[key].items() if p is None)
        n = len(verdicts[key])
        acc = 100 * sum(verdicts[key].values()) / n
        with_guess = 100 * (sum(verdicts[key].values()) + guessed) / n
        acc_kept = 100 * sum(verdicts[key][i] for i in ids) / len(ids)
        log(accuracy_line(key, acc, f"{with_guess:.2f} (guess)", len(kept), acc_kept))

    def records() -> Iterable[Record]:
        for i in ids:
            first = rows[order[0]][i]
            query = mmlu_pro_query(first)
            responses = {}
            for key in order:
                responses[key] = response(key, query, _mmlu_pro_text(rows[key][i]),
                                          verdicts[key][i])
            yield {"id": f"mmlupro-{i}", "query": query, "source": "TIGER-AI-Lab/MMLU-Pro",
                   "domain": MMLU_PRO_DOMAINS.get(first["category"], "general"),
                   "category": first["category"], "responses": responses}

    count = write_trace(out / "mmlupro.jsonl.gz", records())
    log(f"  wrote {out / 'mmlupro.jsonl.gz'}: {count} rows, {len(order)} models")
    return count, order


# --------------------------------------------------------------------------- ZeroEval

ZEROEVAL_FILES: dict[str, str] = {
    "gemma-2-9b": "gemma-2-9b-it",
    "llama-3.1-8b": "Meta-Llama-3.1-8B-Instruct",
    "llama-3.1-70b": "Meta-Llama-3.1-70B-Instruct",
    "qwen2.5-72b": "Qwen2.5-72B-Instruct",
    "gpt-3.5-turbo": "gpt-3.5-turbo-0125",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-05-13",
    "claude-3-haiku": "claude-3-haiku-20240307",
    "claude-3.5-sonnet": "claude-3-5-sonnet-20240620",
    "o1-mini": "o1-mini-2024-09-12",
    "gemini-1.5-flash": "gemini-1.5-flash",
    "gemini-1.5-pro": "gemini-1.5-pro",
    "llama-3-8b": "Meta-Llama-3-8B-Instruct",
}
ZEROEVAL_TASKS: dict[str, str] = {"gsm": "math", "math-l5": "math", "crux": "code",
                                  "numersense-v2": "general"}


def _model_name_replacement(name: str) -> str:
    """ZeroEval's eval_utils.model_name_replacement: file stem -> name in its summaries."""
    for old, new in (("gemma-2-9b-it@nvidia", "gemma-2-9b-it"),
                     ("gemma-2-9b-it@together", "gemma-2-9b-it"),
                     ("gemma-2-27b-it@together", "gemma-2-27b-it"),
                     ("gemma-2-27b-it@nvidia", "gemma-2-27b-it"),
                     ("deepseek-chat", "deepseek-v2-chat-0628"),
                     ("deepseek-coder", "deepseek-v2-coder-0614"),
                     ("DeepSeek-Coder-V2-0724", "deepseek-v2-coder-0724"),
                     ("Llama-3.1-405B-Inst-fp8", "Llama-3.1-405B-Inst-fp8@together"),
                     ("Llama-3.1-405B-Instruct-Turbo", "Llama-3.1-405B-Inst-fp8@together"),
                     ("Meta-Llama-3.1-405B-Instruct@hyperbolic",
                      "Llama-3.1-405B-Inst@hyperbolic")):
        name = name.replace(old, new)
    return name


def _model_specific_extraction(model: str, prediction: str) -> str | None:
    if "Llama-3.1" in model and "boxed" in prediction[-30:]:
        match = re.search(r"\\boxed{([\w\d]+)}", prediction)
        if match:
            return match.group(1)
    return None


def _extract_values_from_json(text: str, keys: tuple[str, ...] = ("reasoning", "answer"),
                              allow_no_quotes: bool = False) -> dict[str, str]:
    values: dict[str, str] = {}
    for key in keys:
        match = re.search(f'"{key}"\\s*:\\s*"([^"]*?)"', text)
        if match:
            values[key] = match.group(1)
        else:
            match = re.search(f'"{key}"\\s*:\\s*"(.*?)"', text, re.DOTALL)
            if match:
                values[key] = match.group(1)
        if not match and allow_no_quotes:
            match = re.search(f'"{key}"\\s*:\\s*([^,\\s]*)', text)
            if match:
                values[key] = match.group(1)
            else:
                match = re.search(f'{key}\\s*:\\s*([^,\\s]*)', text)
                if match:
                    values[key] = match.group(1)
    return values


def _extract_first_complete_json(text: str) -> Any:
    stack: list[int] = []
    start: int | None = None
    for i, char in enumerate(text):
        if char == "{":
            stack.append(i)
            if start is None:
                start = i
        elif char == "}" and stack:
            stack.pop()
            if not stack:
                try:
                    return json.loads(text[start:i + 1].replace("\n", ""))
                except json.JSONDecodeError:
                    return None
    return None


_NO_ANSWER = object()


def zeroeval_answer(model: str, prediction: str) -> Any:
    """The answer ZeroEval reads from an output, or _NO_ANSWER (its 'No answer')."""
    parsed = _extract_first_complete_json(prediction)
    if parsed is None or "answer" not in parsed:
        parsed = _extract_values_from_json(prediction, allow_no_quotes=True)
    if "answer" not in parsed:
        extracted = _model_specific_extraction(model, prediction)
        return extracted if extracted else _NO_ANSWER
    return parsed["answer"]


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.BitXor: operator.xor, ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
}


def _arithmetic(node: ast.AST) -> Any:
    if isinstance(node, ast.Expression):
        return _arithmetic(node.body)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float, complex, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _arithmetic(node.left), _arithmetic(node.right)
        if isinstance(node.op, (ast.Pow, ast.LShift)) and abs(right) > 10_000:
            raise OverflowError("exponent too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_arithmetic(node.operand))
    raise ValueError("not plain arithmetic")


def _sanitize_math_answer(answer: str) -> str:
    """ZeroEval's sanitize_math_answers, with arithmetic in place of eval()."""
    answer = answer.replace("$", "").strip().replace(",", "")
    if "/" in answer:
        try:
            answer = str(float(_arithmetic(ast.parse(answer, mode="eval"))))
        except Exception:  # as ZeroEval: any failure keeps the answer as it was
            pass
    return answer


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def math_correct(model: str, item: Record) -> tuple[bool, bool]:
    """(answered, correct) as math_eval.py scores gsm, math-l5 and numersense-v2."""
    answer = zeroeval_answer(model, _output(item))
    if answer is _NO_ANSWER:
        return False, False
    mine = _sanitize_math_answer(str(answer))
    truth = _sanitize_math_answer(item["answer"].replace("#", "").strip())
    a, b = _NUMBER.search(mine), _NUMBER.search(truth)
    return True, bool(a and b and float(a.group()) == float(b.group()))


def crux_correct(model: str, item: Record) -> tuple[bool, bool]:
    """(answered, correct) as crux_eval.py scores crux."""
    answer = zeroeval_answer(model, _output(item))
    if answer is _NO_ANSWER:
        return False, False
    mine = str(answer).strip("'\"").replace("\n", "\\n")
    truth = str(item["answer"]).strip("'\"")
    if mine and truth:
        return True, mine == truth
    return True, mine == "" and truth == ""


def _output(item: Record) -> str:
    output = item.get("output")
    if isinstance(output, list):
        return str(output[0]) if output else ""
    return str(output or "")


def _question(item: Record) -> str:
    return str(item.get("question") if "question" in item else item.get("problem", ""))


def build_zeroeval_task(source: Source, task: str, out: Path) -> tuple[int, list[str]]:
    log(f"ZeroEval {task}")
    folder = f"result_dirs/{task}"
    available = set(source.files(folder))
    scorer = crux_correct if task == "crux" else math_correct
    summary: dict[str, str] = {}
    try:
        for row in json.loads(source.read(f"result_dirs/{task}.summary.json")):
            if row.get("Mode") == "greedy":
                summary[row["Model"]] = str(row["Acc"])
    except (FileNotFoundError, json.JSONDecodeError):
        log(f"  no readable result_dirs/{task}.summary.json")
    items: dict[str, dict[str, Record]] = {}
    verdicts: dict[str, dict[str, bool]] = {}
    check: dict[str, tuple[float, str]] = {}
    for key, stem in ZEROEVAL_FILES.items():
        if f"{stem}.json" not in available:
            continue
        try:
            data = json.loads(source.read(f"{folder}/{stem}.json"))
        except (FileNotFoundError, json.JSONDecodeError) as exc:
            log(f"  {key:18} {stem}.json unreadable, left out ({str(exc)[:60]})")
            continue
        items[key] = {str(item["id"]): item for item in data}
        verdicts[key] = {str(item["id"]): scorer(stem, item)[1] for item in data}
        acc = 100 * sum(verdicts[key].values()) / len(data)
        check[key] = (acc, summary.get(_model_name_replacement(stem), "n/a"))
        log(f"  {key:18} {stem}.json: {len(data)} rows")
    total = max(len(v) for v in items.values())
    keep = coverage_keep({k: set(v) for k, v in items.items()}, total, task)
    order = [k for k in ZEROEVAL_FILES if k in keep]
    first = items[order[0]]
    shared = [i for i in first if all(i in items[k] for k in order)]
    ids = [i for i in shared if all(_question(items[k][i]) == _question(first[i]) and
                                    items[k][i]["answer"] == first[i]["answer"] for k in order)]
    log(f"  {len(shared)} questions answered by all {len(order)} models; "
        f"{len(shared) - len(ids)} dropped as asked differently across files")
    mismatches = 0
    for key in order:
        acc, theirs = check[key]
        acc_kept = 100 * sum(verdicts[key][i] for i in ids) / len(ids)
        flag = "" if theirs == f"{acc:.2f}" else "  <-- differs"
        if flag and theirs != "n/a":
            try:
                flag = "" if abs(float(theirs) - acc) < 0.0051 else flag  # rounding of x.xx5
            except ValueError:
                pass
        mismatches += bool(flag)
        log(accuracy_line(key, acc, theirs, len(ids), acc_kept) + flag)
    if mismatches:
        log(f"  WARNING: {mismatches} models differ from ZeroEval's summary")

    def records() -> Iterable[Record]:
        for i in ids:
            query = _question(first[i])
            responses = {key: response(key, query, _output(items[key][i]), verdicts[key][i])
                         for key in order}
            yield {"id": f"{task}-{i}", "query": query, "domain": ZEROEVAL_TASKS[task],
                   "source": f"WildEval/ZeroEval/{task}", "responses": responses}

    path = out / f"{task}.jsonl.gz"
    count = write_trace(path, records())
    log(f"  wrote {path}: {count} rows, {len(order)} models")
    return count, order


# --------------------------------------------------------------------------- pairs

PAIRS_DEV = [
    ("mmlupro", "llama-3.1-8b", "gemini-1.5-pro"), ("mmlupro", "phi-3-mini", "llama-3.1-70b"),
    ("mmlupro", "gemini-1.5-flash", "gemini-1.5-pro"),
    ("mmlupro", "mixtral-8x7b", "llama-3.1-70b"),
    ("gsm", "llama-3.1-8b", "gpt-4o"), ("gsm", "gpt-3.5-turbo", "claude-3.5-sonnet"),
    ("gsm", "gpt-4o-mini", "gpt-4o"),
    ("math-l5", "gpt-4o-mini", "o1-mini"), ("math-l5", "llama-3.1-8b", "gpt-4o"),
    ("math-l5", "gemini-1.5-flash", "qwen2.5-72b"),
]
PAIRS_OTHER = [
    ("crux", "gemma-2-9b", "claude-3.5-sonnet"), ("crux", "gpt-4o-mini", "gpt-4o"),
    ("crux", "llama-3.1-8b", "o1-mini"),
    ("numersense-v2", "llama-3-8b", "gpt-4o"), ("numersense-v2", "gpt-3.5-turbo", "gemini-1.5-pro"),
]


def write_pairs(out: Path, name: str, pairs: list[tuple[str, str, str]],
                models: dict[str, list[str]]) -> None:
    lines = []
    for trace, drafter, verifier in pairs:
        if trace not in models:
            continue
        missing = [m for m in (drafter, verifier) if m not in models[trace]]
        if missing:
            log(f"  pair {trace}:{drafter},{verifier}: {', '.join(missing)} not in the trace, "
                f"left out (it has {', '.join(models[trace])})")
            continue
        lines.append(f"{(out / f'{trace}.jsonl.gz').resolve()}:{drafter},{verifier}\n")
    (out / name).write_text("".join(lines))
    log(f"wrote {out / name}: {len(lines)} pairs")


# --------------------------------------------------------------------------- main

@dataclass(frozen=True)
class Built:
    name: str
    rows: int
    models: list[str]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--mmlu-pro", type=Path, help="TIGER-AI-Lab/MMLU-Pro mirror or checkout")
    parser.add_argument("--zeroeval", type=Path, help="WildEval/ZeroEval mirror or checkout")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--rev", default="HEAD", help="revision to read from git mirrors")
    parser.add_argument("--only", default="", help="comma-separated: mmlupro,gsm,math-l5,...")
    args = parser.parse_args(argv)
    only = {name for name in args.only.split(",") if name}

    def wanted(name: str) -> bool:
        return not only or name in only

    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    out: Path = args.out
    built: list[Built] = []
    if wanted("mmlupro"):
        if args.mmlu_pro is None:
            sys.exit("--mmlu-pro is needed for mmlupro (or leave it out with --only)")
        rows, keys = build_mmlu_pro(Source(args.mmlu_pro, args.rev), out)
        built.append(Built("mmlupro", rows, keys))
    tasks = [t for t in ZEROEVAL_TASKS if wanted(t)]
    if tasks:
        if args.zeroeval is None:
            sys.exit("--zeroeval is needed for " + ", ".join(tasks))
        zeroeval = Source(args.zeroeval, args.rev)
        for task in tasks:
            rows, keys = build_zeroeval_task(zeroeval, task, out)
            built.append(Built(task, rows, keys))
    models: dict[str, list[str]] = {b.name: b.models for b in built}
    for name in ["mmlupro", *ZEROEVAL_TASKS]:  # traces built by an earlier run
        path = out / f"{name}.jsonl.gz"
        if name not in models and path.is_file():
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                models[name] = list(json.loads(handle.readline())["responses"])
    write_pairs(out, "pairs_dev.txt", PAIRS_DEV, models)
    write_pairs(out, "pairs_other.txt", PAIRS_OTHER, models)
    for b in built:
        log(f"{b.name:14} {b.rows:6} rows  {len(b.models)} models: {', '.join(b.models)}")
    log(f"done in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
