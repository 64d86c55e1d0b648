"""Every code and config block of README.md and docs/ runs, or says why not.

A block runs as its language does: Python in a fresh interpreter (top-level ``await``
allowed) with ``cascadeflow.testing.override`` giving every agent a fake provider (no
network, no key), and ``models``/``all_models`` defined for the fragments that name
them; each shell command with bash in a scratch folder (with ``calibrated.json`` made
by the README's own ``--save-config`` command); TOML and YAML gateway configs through the
gateway's loader (``${VAR}`` filled in); JSON parsed. A block that cannot run here is
preceded by ``<!-- not run: why -->``; ``text`` blocks are prose, not code.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from cascadeflow.entrypoints.rest.config import parse_config

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUNNABLE = {"python", "bash", "toml", "yaml", "json"}
_FENCE = re.compile(r"^```(\S*)\s*$")
_NOT_RUN = re.compile(r"<!--\s*not run:\s*(.+?)\s*-->")

DRIVER = """
import ast, asyncio, inspect, sys
from cascadeflow import ModelConfig
from cascadeflow.testing import FakeProvider, override

source = open(sys.argv[1], encoding="utf-8").read()
code = compile(source, sys.argv[2], "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
models = [ModelConfig(name="gpt-4o-mini", provider="openai", cost=0.00015),
          ModelConfig(name="gpt-4o", provider="openai", cost=0.0025)]
namespace = {"__name__": "__main__", "models": models, "all_models": models}
with override(provider=FakeProvider(default="Paris is the capital of France.")):
    ran = eval(code, namespace)
    if inspect.iscoroutine(ran):
        asyncio.run(ran)
"""


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    language: str
    code: str
    not_run: str | None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks() -> list[Block]:
    found = []
    for path in DOCS:
        lines = path.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            if (fence := _FENCE.match(lines[i])) is None:
                i += 1
                continue
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            reason = _NOT_RUN.search(before)
            found.append(Block(path, i + 1, fence.group(1), "\n".join(lines[i + 1:end]) + "\n",
                               reason.group(1) if reason else None))
            i = end + 1
    return found


ALL = blocks()
TO_RUN = [b for b in ALL if b.not_run is None and b.language != "text"]


def test_every_block_names_its_language_and_runs_or_says_why_not() -> None:
    unnamed = [b.where for b in ALL if not b.language]
    unknown = [b.where for b in ALL if b.language and b.language not in RUNNABLE | {"text"}]
    assert unnamed == [] and unknown == []
    assert len(TO_RUN) > len(ALL) / 2  # most blocks run: "not run" is the exception


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder holding what the README's commands make before later blocks use it."""
    here = tmp_path_factory.mktemp("docs")
    subprocess.run([str(Path(sys.executable).parent / "cascadeflow"), "simulate", "--trace", "gsm8k",
                    "--calibrate", "--target-quality", "0.95", "--save-config", "calibrated.json"],
                   cwd=here, check=True, capture_output=True, timeout=300)
    return here


def _environment() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}  # never a real call
    return {**keep, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{keep.get('PATH', '')}",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True"}


@pytest.mark.parametrize("block", TO_RUN, ids=[b.where for b in TO_RUN])
def test_the_block_runs(block: Block, folder: Path) -> None:
    if block.language == "python":
        script = folder / "block.py"
        script.write_text(block.code, encoding="utf-8")
        ran = subprocess.run([sys.executable, "-c", DRIVER, str(script), block.where], cwd=folder,
                             capture_output=True, text=True, timeout=300, env=_environment())
        assert ran.returncode == 0, f"{block.where}\n{block.code}\n{ran.stderr[-3000:]}"
    elif block.language == "bash":
        for command in _commands(block.code):
            ran = subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True,
                                 timeout=300, env=_environment())
            assert ran.returncode == 0, f"{block.where}: {command}\n{ran.stdout[-2000:]}{ran.stderr[-2000:]}"
    elif block.language in ("toml", "yaml"):
        raw = tomllib.loads(block.code) if block.language == "toml" else yaml.safe_load(block.code)
        if isinstance(raw, dict) and ("models" in raw or "keys" in raw):
            names = set(re.findall(r"\$\{(\w+)\}", block.code))
            parse_config(raw, {name: f"value-of-{name}" for name in names}, block.where)
    else:
        json.loads(block.code)


def _commands(code: str) -> list[str]:
    """The block's commands, a backslash continuing one on the next line."""
    joined = code.replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]
