"""Routing figures, printed: `python benchmarks/routing_bench.py [--errors]`.

- DomainDetector speed: CPU microseconds per query (best and median of 7 passes);
- DomainDetector accuracy on ../shared/data/domain_dev.jsonl, the 200-query development
  set (a sanity figure: the rules were developed against it), and on other real queries
  built from the RouteLLM files beside it: GSM8K questions (math), MT-Bench first turns
  (math, coding, the rest general) and MMLU questions of subjects that map onto one
  domain. The seed-0 sample's errors were looked at while tuning vocabulary; the seed-1
  sample never was. All read at bench time only, when present;
- ComplexityAnalyzer and tier-routing speed, and the overhead of a two-step strategy
  run through CascadeAgent with a zero-latency fake provider.
"""

from __future__ import annotations

import asyncio
import collections
import csv
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.routing import (
    ComplexityAnalyzer,
    DomainDetector,
    TierAwareRouter,
    TierModelPolicy,
    CascadeStep,
    DomainCascadeStrategy,
    syntax_validator,
)
from cascadeflow.testing import ConfiguredPricing, FakeProvider

DATA = Path(os.environ.get("CASCADEFLOW_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
Labelled = list[tuple[str, str, str]]  # (query, domain, source)

MMLU_SUBJECTS = {
    "math": ("elementary_mathematics", "high_school_mathematics", "college_mathematics",
             "abstract_algebra", "high_school_statistics"),
    "medical": ("clinical_knowledge", "professional_medicine", "college_medicine", "anatomy",
                "medical_genetics"),
    "legal": ("professional_law", "international_law", "jurisprudence"),
    "general": ("high_school_world_history", "philosophy", "marketing", "management",
                "world_religions", "prehistory", "sociology", "public_relations",
                "high_school_geography", "miscellaneous", "global_facts", "astronomy"),
}
SAMPLE = [
    "Write a Python function that merges two sorted lists.",
    "Solve for x: 3x + 7 = 22",
    "What are the side effects of metformin?",
    "My landlord kept my security deposit. Can I sue?",
    "Write a short poem about autumn.",
]


def dev_set() -> Labelled:
    path = DATA / "domain_dev.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [(r["query"], r["domain"], r["source"].split(":")[0]) for r in rows]


def held_out(exclude: set[str], seed: int, per_domain: int = 100) -> Labelled:
    """Real queries from the RouteLLM files: a GSM8K sample, the MT-Bench first turns
    (seed 0 only) and an MMLU sample per domain; samples of other seeds leave out what
    seed 0 drew."""
    root = DATA / "routellm"
    if not root.exists():
        return []
    rows: Labelled = []
    with open(root / "gsm8k" / "gsm8k_responses.csv", newline="") as f:
        gsm = [(r["prompt"], "math", "gsm8k") for r in csv.DictReader(f)]
    pools: dict[str, Labelled] = {"gsm8k": gsm}
    for domain, subjects in MMLU_SUBJECTS.items():
        pools[domain] = []
        for subject in subjects:
            with open(root / "mmlu" / "responses" / f"mmlu_{subject}.csv", newline="") as f:
                pools[domain] += [(r["prompt"].rsplit("\nAnswer:", 1)[0], domain, f"mmlu {subject}")
                                  for r in csv.DictReader(f)]
    drawn_first = {name: set(random.Random(0).sample(pool, min(per_domain, len(pool))))
                   for name, pool in pools.items()}
    for name, pool in pools.items():
        pool = [row for row in pool if row[0] not in exclude]
        if seed != 0:
            pool = [row for row in pool if row not in drawn_first[name]]
        rows += random.Random(seed).sample(pool, min(per_domain, len(pool)))
    if seed == 0:
        for line in (root / "mt_bench" / "question.jsonl").read_text().splitlines():
            item = json.loads(line)
            if item["turns"][0] not in exclude:
                domain = {"math": "math", "coding": "code"}.get(item["category"], "general")
                rows.append((item["turns"][0], domain, f"mt-bench {item['category']}"))
    return rows


def accuracy(name: str, rows: Labelled, detector: DomainDetector, show_errors: bool) -> None:
    confusion: collections.Counter[tuple[str, str]] = collections.Counter()
    for query, domain, source in rows:
        got, _ = detector.detect(query)
        confusion[(domain, got)] += 1
        if show_errors and got != domain:
            print(f"    [{domain} -> {got}] {source}: {query[:110]!r}")
    right = sum(n for (want, got), n in confusion.items() if want == got)
    print(f"{name}: {right}/{len(rows)} = {right / len(rows):.1%}")
    for domain in sorted({d for d, _ in confusion}):
        total = sum(n for (want, _), n in confusion.items() if want == domain)
        misses = {got: n for (want, got), n in confusion.items() if want == domain and got != domain}
        print(f"    {domain:8} {confusion[(domain, domain)]:3}/{total:<3} misread as {misses or '-'}")


def cpu_us_per_call(fn: Callable[[str], object], queries: list[str], passes: int = 7) -> tuple[float, float]:
    for query in queries:
        fn(query)  # warm caches
    samples = []
    for _ in range(passes):
        started = time.process_time()
        for query in queries:
            fn(query)
        samples.append((time.process_time() - started) / len(queries) * 1e6)
    return min(samples), statistics.median(samples)


def detection_latencies(name: str, detector: DomainDetector, queries: list[str], repeats: int = 20) -> None:
    """The distribution over queries of one query's detection time (the target: a median
    of at most 50 µs): each query timed over ``repeats`` calls, the fastest of 3 rounds."""
    for query in queries:
        detector.detect(query)  # warm caches
    latencies = []
    for query in queries:
        rounds = []
        for _ in range(3):
            started = time.perf_counter_ns()
            for _ in range(repeats):
                detector.detect(query)
            rounds.append((time.perf_counter_ns() - started) / repeats / 1000)
        latencies.append(min(rounds))
    latencies.sort()
    print(f"DomainDetector.detect per query on the {name}: median {statistics.median(latencies):.1f} µs, "
          f"p90 {latencies[int(0.9 * len(latencies))]:.1f} µs, mean {statistics.mean(latencies):.1f} µs "
          f"(target: median <= 50 µs; {len(queries)} queries, median length "
          f"{statistics.median(map(len, queries)):.0f} chars)")


async def strategy_overhead(queries: int = 2_000) -> float:
    good = "```python\ndef f(x):\n    return x\n```"
    strategy = DomainCascadeStrategy("code", [
        CascadeStep("draft", "groq", validation=syntax_validator, max_retries=0),
        CascadeStep("strong", "openai", validation=syntax_validator),
    ])
    agent = CascadeAgent(
        models=[ModelConfig(name="draft", cost=0.0001), ModelConfig(name="strong", cost=0.01)],
        provider=FakeProvider({"draft": ["def f(x)\n  return"], "strong": [good]}),
        pricing=ConfiguredPricing(), enable_multi_step_cascade=True, domain_strategies={"code": strategy},
    )
    started = time.process_time()
    for _ in range(queries):
        await agent.run("Write a Python function f", domain="code")
    return (time.process_time() - started) / queries * 1e6


def main() -> None:
    show_errors = "--errors" in sys.argv
    detector = DomainDetector()
    dev = dev_set()
    speed_queries = [q for q, _, _ in dev] or SAMPLE
    best, median = cpu_us_per_call(detector.detect, speed_queries)
    print(f"DomainDetector.detect: {best:.1f} µs/query on average (best pass), {median:.1f} median pass "
          f"(CPU time, {len(speed_queries)} queries of {statistics.mean(map(len, speed_queries)):.0f} "
          "chars on average)")
    detection_latencies("dev set", detector, speed_queries)
    if dev:
        accuracy("dev set (domain_dev.jsonl, developed against: sanity figure)", dev, detector, show_errors)
    else:
        print(f"dev set: {DATA / 'domain_dev.jsonl'} not found, accuracy skipped")
    seen = held_out({q for q, _, _ in dev}, seed=0)
    if seen:
        accuracy("RouteLLM GSM8K, MT-Bench, MMLU by subject (errors inspected while tuning)", seen,
                 detector, show_errors)
        fresh = held_out({q for q, _, _ in dev}, seed=1)
        accuracy("fresh RouteLLM sample (GSM8K, MMLU; never inspected)", fresh, detector, show_errors)
        detection_latencies("fresh RouteLLM sample", detector, [q for q, _, _ in fresh])
    analyzer = ComplexityAnalyzer()
    best, median = cpu_us_per_call(analyzer.analyze, speed_queries)
    print(f"ComplexityAnalyzer.analyze: {best:.1f} µs/query best, {median:.1f} median")
    models = [ModelConfig(name=f"m{i}", cost=0.0001 * (i + 1)) for i in range(6)]
    router = TierAwareRouter({"pro": TierModelPolicy("pro", [m.name for m in models], 0.01)}, models)
    best, median = cpu_us_per_call(lambda q: router.get_models_for_tier("pro", 1.0, "medium"), SAMPLE)
    print(f"TierAwareRouter.get_models_for_tier (6 models): {best:.1f} µs best, {median:.1f} median")
    print(f"two-step strategy through CascadeAgent (draft rejected, step 2 accepted, fake provider): "
          f"{asyncio.run(strategy_overhead()):.0f} µs/query")
    long_texts()


def long_texts() -> None:
    """Validation, detection and complexity of a 100,000-character text: read through a
    bounded window (domain/long_text.py), so their cost does not grow with the length."""
    from cascadeflow.domain.quality import QualityValidator, ValidationContext
    from cascadeflow.domain.quality_presets import quality_preset

    text = (" ".join(q for q, _, _ in dev_set()) or " ".join(SAMPLE) * 50) * 100
    text = text[:100_000]
    ask = ValidationContext(query="Summarise the discussion.")
    figures = []
    for mode in ("fast", "online", "balanced"):
        validator = QualityValidator(quality_preset(mode))
        best, median = cpu_us_per_call(lambda t: validator.validate(t, ask), [text], passes=9)
        figures.append(f"{mode} {median / 1000:.2f} ms")
    detect = cpu_us_per_call(DomainDetector().detect, [text], passes=9)[1]
    analyze = cpu_us_per_call(ComplexityAnalyzer().analyze, [text], passes=9)[1]
    print(f"100,000 characters: validation {', '.join(figures)}; detection {detect / 1000:.2f} ms; "
          f"complexity {analyze / 1000:.2f} ms (target: under 1 ms)")



if __name__ == "__main__":
    main()
