#!/usr/bin/env python3
"""Convert RouteLLM's recorded model answers into cascadeflow's bundled trace files.

Provenance: the inputs are the evaluation files of RouteLLM (https://github.com/lm-sys/RouteLLM,
``routellm/evals/``, Copyright LMSYS, Apache License 2.0), which record how Mixtral-8x7B-Instruct
and GPT-4-1106-preview answered GSM8K (Cobbe et al. 2021, MIT) and MT-Bench (Zheng et al. 2023,
Apache-2.0). This script writes ``gsm8k.jsonl.gz`` and ``mtbench.jsonl.gz``: gzip-compressed JSON
Lines, one query per line with both models' answer text, token counts, cost and quality.

* GSM8K: ``correct`` is RouteLLM's verdict (last number of the answer equals the reference). Rows
  whose prompt is listed in ``gsm8k/contaminated_prompts.jsonl`` are left out. Ids are
  ``gsm8k-<0-based row index in the CSV>``. RouteLLM asked with an 8-shot prompt; the input tokens
  here are those of the bare question, as a cascadeflow user would send it.
* MT-Bench: ``score`` is the GPT-4 judge's 1-10 rating of the first turn (judges ``single-v1`` and
  ``single-math-v1``). Second turns are not used: each model's second turn continues its *own*
  first answer, so the two models answer different conversations and cannot share one query.
  The answer text is cut out of the judge prompt (``user_prompt``). Contaminated questions
  (``mt_bench/contaminated_prompts.jsonl``) and questions lacking a valid judgement for either
  model are left out. Ids are ``mtbench-<question_id>``.
* Tokens and prices come from LiteLLM, offline (bundled price map and tokenizers). LiteLLM has no
  Mixtral tokenizer, so Mixtral is counted with its default tiktoken encoding (cl100k_base), like
  GPT-4. ``input_tokens`` counts the query as one user chat message; ``output_tokens`` the answer.

Usage: python scripts/convert_routellm.py [SOURCE_DIR] [OUTPUT_DIR]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch the price map

import litellm  # noqa: E402

litellm.suppress_debug_info = True
litellm.disable_hf_tokenizer_download = True  # never fetch a tokenizer either

Record = dict[str, Any]

# cascadeflow model key -> (model name in RouteLLM's files, LiteLLM model id)
MODELS: dict[str, tuple[str, str]] = {
    "mixtral-8x7b-instruct": (
        "mistralai/Mixtral-8x7B-Instruct-v0.1",
        "together_ai/mistralai/Mixtral-8x7B-Instruct-v0.1",
    ),
    "gpt-4-1106-preview": ("gpt-4-1106-preview", "gpt-4-1106-preview"),
}
MT_BENCH_DOMAINS = {"coding": "code"}  # other categories keep their name
TURN1_JUDGES = {"single-v1", "single-math-v1"}
ANSWER_START = "[The Start of Assistant's Answer]"
ANSWER_END = "[The End of Assistant's Answer]"


def response(key: str, query: str, text: str, **quality: Any) -> Record:
    """One model's answer with token counts, cost and quality (``correct`` or ``score``)."""
    model = MODELS[key][1]
    input_tokens = litellm.token_counter(model=model, messages=[{"role": "user", "content": query}])
    output_tokens = litellm.token_counter(model=model, text=text)
    prompt_cost, completion_cost = litellm.cost_per_token(
        model=model, prompt_tokens=input_tokens, completion_tokens=output_tokens
    )
    return {"text": text, "input_tokens": input_tokens, "output_tokens": output_tokens,
            "cost_usd": round(prompt_cost + completion_cost, 10), **quality}


def read_jsonl(path: Path) -> list[Record]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def contaminated(path: Path) -> set[str]:
    return {row["eval_prompt"].strip() for row in read_jsonl(path)}


def convert_gsm8k(src: Path) -> tuple[list[Record], dict[str, int]]:
    dirty = contaminated(src / "contaminated_prompts.jsonl")
    records: list[Record] = []
    counts = {"rows in": 0, "dropped contaminated": 0}
    with (src / "gsm8k_responses.csv").open(encoding="utf-8", newline="") as f:
        for index, row in enumerate(csv.DictReader(f)):
            counts["rows in"] += 1
            query = row["prompt"]
            if query.strip() in dirty:
                counts["dropped contaminated"] += 1
                continue
            responses = {}
            for key, (name, _) in MODELS.items():
                verdict = {"True": True, "False": False}[row[name]]
                text = row[f"{name}_response"].strip()  # Mixtral answers start with a space
                responses[key] = response(key, query, text, correct=verdict)
            records.append({"id": f"gsm8k-{index}", "query": query, "domain": "math",
                            "source": "routellm/gsm8k", "responses": responses})
    return records, counts


def answer_text(user_prompt: str) -> str | None:
    """The assistant's answer inside a single-turn judge prompt, or None if not found."""
    _, start, rest = user_prompt.partition(ANSWER_START)
    text, end, _ = rest.rpartition(ANSWER_END)
    return text.strip() if start and end else None


def convert_mt_bench(src: Path) -> tuple[list[Record], dict[str, int]]:
    dirty = contaminated(src / "contaminated_prompts.jsonl")
    names = {name: key for key, (name, _) in MODELS.items()}
    judged: dict[tuple[int, str], tuple[str, float]] = {}
    for j in read_jsonl(src / "judgements.jsonl"):
        if j["turn"] != 1 or j["judge"][1] not in TURN1_JUDGES or j["model"] not in names:
            continue
        text, score = answer_text(j["user_prompt"]), j["score"]
        if text and isinstance(score, (int, float)) and 1 <= score <= 10:
            if (j["question_id"], names[j["model"]]) in judged:
                raise ValueError(f"duplicate judgement: {j['question_id']} {j['model']}")
            judged[(j["question_id"], names[j["model"]])] = (text, float(score))
    records: list[Record] = []
    counts = {"rows in": 0, "dropped contaminated": 0, "skipped unjudged": 0}
    for q in read_jsonl(src / "question.jsonl"):
        counts["rows in"] += 1
        qid, query = q["question_id"], q["turns"][0]
        if query.strip() in dirty:
            counts["dropped contaminated"] += 1
            continue
        if any((qid, key) not in judged for key in MODELS):
            counts["skipped unjudged"] += 1
            continue
        responses = {key: response(key, query, judged[(qid, key)][0], score=judged[(qid, key)][1])
                     for key in MODELS}
        records.append({"id": f"mtbench-{qid}", "query": query,
                        "domain": MT_BENCH_DOMAINS.get(q["category"], q["category"]),
                        "source": "routellm/mt_bench", "responses": responses})
    return records, counts


def write_jsonl_gz(path: Path, records: Iterable[Record]) -> None:
    """Deterministic output: fixed gzip mtime, sorted keys, records in source order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(filename=path.stem, mode="wb", fileobj=raw,
                                               mtime=0) as gz:
        for record in records:
            line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
            gz.write(line.encode("utf-8"))


def summarise(name: str, records: list[Record], counts: dict[str, int], quality: str) -> None:
    counted = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"{name}: {counted}, rows out {len(records)}")
    for key in MODELS:
        answers = [r["responses"][key] for r in records]
        value = sum(float(a[quality]) for a in answers) / len(answers)
        shown = f"accuracy {value:.1%}" if quality == "correct" else f"mean score {value:.2f}"
        cost = sum(a["cost_usd"] for a in answers)
        print(f"  {key:24} {shown}, total cost ${cost:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    traces = Path(__file__).resolve().parents[1] / "src/cascadeflow/data/traces"
    parser.add_argument("source", nargs="?", type=Path, default=Path("/work/shared/data/routellm"))
    parser.add_argument("output", nargs="?", type=Path, default=traces)
    args = parser.parse_args()
    for key, (_, model) in MODELS.items():
        prompt, completion = litellm.cost_per_token(  # prices of a million tokens each
            model=model, prompt_tokens=1_000_000, completion_tokens=1_000_000
        )
        print(f"price {key} ({model}): ${prompt:g} in / ${completion:g} out per million tokens")
    gsm8k, gsm8k_counts = convert_gsm8k(args.source / "gsm8k")
    write_jsonl_gz(args.output / "gsm8k.jsonl.gz", gsm8k)
    summarise("gsm8k", gsm8k, gsm8k_counts, "correct")
    mtbench, mtbench_counts = convert_mt_bench(args.source / "mt_bench")
    write_jsonl_gz(args.output / "mtbench.jsonl.gz", mtbench)
    summarise("mtbench", mtbench, mtbench_counts, "score")


if __name__ == "__main__":
    main()
