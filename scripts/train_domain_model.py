"""Fit the opt-in embedding domain detector (cascadeflow.routing.semantic_router) on
public labelled queries, and report it beside the rule-based detector on sources it
never saw:

    python scripts/train_domain_model.py CORPUS_DIR --holdout SOURCE[,SOURCE...] [--write]

CORPUS_DIR holds JSONL files of {"query", "domain", "source"} rows (how the shared
corpus is built, and every source's licence: CORPUS_DIR/SOURCES.md and NOTICE). Rows
of the held-out sources are never fitted or tuned on: they are read once, at the end,
for the report. The regularisation and the probability the detector needs before it
names a specialised domain are chosen by leaving one training source out at a time
(fit on the others, score the detector on it): a choice that holds on a source the fit
did not see, not on more rows like the fitted ones. The final model is fitted on every
training source. With --write it goes to src/cascadeflow/data/semantic_domain_model.json.gz.

Also reported, never used for choices: the development set (../shared/data/
domain_dev.jsonl, drawn from sources reserved for evaluation) and the project's own lay
queries (tests/data/lay_queries.jsonl).

Needs scikit-learn (the dev extra) and wordllama (the semantic extra).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cascadeflow" / "data" / "semantic_domain_model.json.gz"
SHARED = Path(os.environ.get("CASCADEFLOW_SHARED_DATA", ROOT.parent / "shared" / "data"))
CLASSES = ("general", "code", "math", "medical", "legal")
PER_SOURCE_CAP = 5000
Row = tuple[str, str, str]  # query, domain, source


def load(corpus: Path) -> list[Row]:
    rows = []
    for path in sorted(corpus.glob("*.jsonl")):
        per_source: collections.Counter[str] = collections.Counter()
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            if row["domain"] not in CLASSES or per_source[row["source"]] >= PER_SOURCE_CAP:
                continue
            per_source[row["source"]] += 1
            rows.append((row["query"], row["domain"], row["source"]))
    return rows


def jsonl(path: Path, source: str) -> list[Row]:
    if not path.exists():
        return []
    return [(r["query"], r["domain"], source) for r in map(json.loads, path.open(encoding="utf-8"))]


def source_weights(rows: Sequence[Row]) -> list[float]:
    """Every source weighs the same within its label, every label the same overall."""
    per_source = collections.Counter((d, s) for _, d, s in rows)
    sources_of = collections.Counter(d for d, _ in per_source)
    weights = [1.0 / (per_source[(d, s)] * sources_of[d]) for _, d, s in rows]
    scale = len(rows) / sum(weights)
    return [w * scale for w in weights]


_EMBEDDINGS: dict[str, Any] = {}


def embed(texts: Sequence[str]) -> Any:
    import numpy as np

    from cascadeflow.adapters.semantic import default_embedder

    missing = [t for t in dict.fromkeys(texts) if t not in _EMBEDDINGS]
    for start in range(0, len(missing), 512):
        chunk = missing[start:start + 512]
        for text, vector in zip(chunk, default_embedder().embed(chunk)):
            _EMBEDDINGS[text] = vector
    return np.stack([_EMBEDDINGS[t] for t in texts])


class Fit:
    """A logistic regression over the queries' embeddings."""

    def __init__(self, rows: Sequence[Row], c: float) -> None:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=c, max_iter=3000)
        model.fit(embed([q for q, _, _ in rows]), [CLASSES.index(d) for _, d, _ in rows],
                  sample_weight=source_weights(rows))
        order = [list(model.classes_).index(i) for i in range(len(CLASSES))]
        self.weights = model.coef_[order]
        self.bias = model.intercept_[order]


def detectors(fit: Fit, min_probability: float) -> dict[str, Callable[[str], str]]:
    """The rule-based detector, the embedding model alone, and the two together as
    SemanticDomainDetector decides (with this fit)."""
    from cascadeflow.adapters import semantic
    from cascadeflow.routing import DomainDetector

    semantic._SEMANTIC_MODEL = semantic.SemanticModel(CLASSES, fit.bias.astype("float32"),
                                                      fit.weights.astype("float32"), min_probability)
    rules = DomainDetector()
    both = semantic.SemanticDomainDetector(rules=rules)

    def alone(query: str) -> str:
        probabilities = both.probabilities(query)
        return max(probabilities, key=probabilities.__getitem__)

    return {"rules": lambda q: rules.detect(q)[0], "embeddings alone": alone,
            "semantic (rules + embeddings)": lambda q: both.detect(q)[0]}


def accuracy(detect: Callable[[str], str], rows: Sequence[Row]) -> tuple[float, dict[str, float]]:
    hits: collections.Counter[str] = collections.Counter()
    seen: collections.Counter[str] = collections.Counter()
    for query, domain, _ in rows:
        seen[domain] += 1
        hits[domain] += detect(query) == domain
    return sum(hits.values()) / max(1, sum(seen.values())), {d: hits[d] / seen[d] for d in seen}


def report(name: str, rows: Sequence[Row], fit: Fit, min_probability: float) -> None:
    if not rows:
        return
    print(f"\n{name} (n={len(rows)})")
    for label, detect in detectors(fit, min_probability).items():
        overall, per_label = accuracy(detect, rows)
        labels = "  ".join(f"{d} {per_label[d]:.1%}" for d in CLASSES if d in per_label)
        print(f"  {label:30} accuracy {overall:6.1%}   {labels}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--holdout", default="", help="sources never fitted or tuned on")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    held = set(filter(None, args.holdout.split(",")))
    rows = load(args.corpus)
    unseen = [r for r in rows if r[2] in held]
    seen = [r for r in rows if r[2] not in held]
    sources = sorted({s for _, _, s in seen})
    print(f"{len(seen)} rows from {len(sources)} training sources, {len(unseen)} held out "
          f"({', '.join(sorted(held)) or 'none'})", flush=True)
    scores: dict[tuple[float, float], list[float]] = collections.defaultdict(list)
    for left_out in sources:
        rest = [r for r in seen if r[2] != left_out]
        out = [r for r in seen if r[2] == left_out]
        if {d for _, d, _ in rest} != set(CLASSES):
            print(f"{left_out}: the only source of a label, not left out", flush=True)
            continue
        for c in (0.1, 1.0, 10.0):
            fit = Fit(rest, c)
            for min_probability in (0.8, 0.9, 0.95, 0.98, 1.01):
                detect = detectors(fit, min_probability)["semantic (rules + embeddings)"]
                scores[(c, min_probability)].append(accuracy(detect, out)[0])
    for (c, min_probability), found in sorted(scores.items()):
        print(f"C={c} min_probability={min_probability}: mean accuracy on a left-out source "
              f"{sum(found) / len(found):.1%}", flush=True)
    c, min_probability = max(scores, key=lambda k: (sum(scores[k]), -k[0]))
    fit = Fit(seen, c)
    print(f"final: C={c}, min_probability={min_probability}, fitted on {len(seen)} rows")
    for source in sorted(held):
        report(f"held out: {source}", [r for r in unseen if r[2] == source], fit, min_probability)
    report("held out, all sources", unseen, fit, min_probability)
    report("dev set (reserved sources; checking only)", jsonl(SHARED / "domain_dev.jsonl", "dev"), fit,
           min_probability)
    report("lay queries (tests/data)", jsonl(ROOT / "tests" / "data" / "lay_queries.jsonl", "lay"), fit,
           min_probability)
    if args.write:
        from cascadeflow.adapters.semantic import dump_semantic_model

        OUT.write_bytes(dump_semantic_model(CLASSES, fit.bias, fit.weights, min_probability))
        print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
