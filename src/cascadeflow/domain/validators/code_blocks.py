"""Finding the code in an answer and telling which language it is in."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+#.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
_INDENTED = re.compile(r"(?:(?:^|\n)(?: {4}|\t)[^\n]*)+")

LANGUAGE_ALIASES: dict[str, str] = {
    "py": "python", "python3": "python", "py3": "python", "python": "python",
    "js": "javascript", "javascript": "javascript", "node": "javascript", "jsx": "javascript",
    "ts": "typescript", "typescript": "typescript", "tsx": "typescript",
    "json": "json", "jsonl": "json", "java": "java", "c": "c", "h": "c",
    "cpp": "cpp", "c++": "cpp", "cc": "cpp", "cs": "csharp", "csharp": "csharp", "c#": "csharp",
    "go": "go", "golang": "go", "rs": "rust", "rust": "rust", "rb": "ruby", "ruby": "ruby",
    "php": "php", "sql": "sql", "sh": "shell", "bash": "shell", "shell": "shell", "zsh": "shell",
    "html": "html", "xml": "xml", "toml": "toml", "yaml": "yaml", "yml": "yaml", "css": "css",
    "kotlin": "kotlin", "kt": "kotlin", "swift": "swift",
}

# Words in a question that name the language the answer should be written in.
_ASKED = (
    ("python", re.compile(r"\bpython\b|\bpandas\b|\bnumpy\b|\bdjango\b|\bflask\b", re.I)),
    ("typescript", re.compile(r"\btypescript\b", re.I)),
    ("javascript", re.compile(r"\bjavascript\b|\bnode\.?js\b|\breact\b|\bjs\b", re.I)),
    ("json", re.compile(r"\bjson\b", re.I)),
    ("java", re.compile(r"\bjava\b(?!script)", re.I)),
    ("cpp", re.compile(r"c\+\+|\bcpp\b", re.I)),
    ("csharp", re.compile(r"c#|\bcsharp\b", re.I)),
    ("go", re.compile(r"\bgolang\b|\bin go\b", re.I)),
    ("rust", re.compile(r"\brust\b", re.I)),
    ("sql", re.compile(r"\bsql\b|\bquery\b.*\btable\b", re.I)),
    ("shell", re.compile(r"\bbash\b|\bshell script\b", re.I)),
    ("html", re.compile(r"\bhtml\b", re.I)),
)

_LOOKS_LIKE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("python", re.compile(r"^\s*(?:def |class \w+[:(]|import \w|from \w+ import|print\(|elif |if __name__)", re.M)),
    ("javascript", re.compile(r"\b(?:const|let|var) \w+\s*=|=>|function\s*\w*\s*\(|console\.log", re.M)),
    ("java", re.compile(r"\bpublic (?:static )?(?:class|void|int|String)\b|System\.out\.", re.M)),
    ("cpp", re.compile(r"#include\s*<|std::|cout\s*<<", re.M)),
    ("sql", re.compile(r"^\s*(?:SELECT|INSERT|UPDATE|DELETE|CREATE TABLE)\b", re.M | re.I)),
    ("json", re.compile(r"^\s*[\[{]\s*(?:\"|\{|\[|\d|$)", re.S)),
    ("html", re.compile(r"<(?:html|div|body|head|p|span|script)\b", re.I)),
)


@dataclass(frozen=True, slots=True)
class CodeBlock:
    code: str
    language: str | None
    fenced: bool


def normalise_language(tag: str) -> str | None:
    tag = tag.strip().lower()
    return LANGUAGE_ALIASES.get(tag, tag or None)


def extract_code(text: str) -> list[CodeBlock]:
    """Fenced blocks first; else indented blocks; else the whole answer when it reads
    as code in a language we recognise."""
    fenced = [
        CodeBlock(body, normalise_language(tag) or looks_like(body), True)
        for tag, body in _FENCE.findall(text)
        if body.strip()
    ]
    if fenced:
        return fenced
    indented = [m.group(0) for m in _INDENTED.finditer(text) if m.group(0).strip()]
    blocks = []
    for chunk in indented:
        code = _dedent(chunk)
        if (language := looks_like(code)) is not None:
            blocks.append(CodeBlock(code, language, False))
    if blocks:
        return blocks
    language = looks_like(text)
    return [CodeBlock(text, language, False)] if language is not None else []


def looks_like(code: str) -> str | None:
    for language, pattern in _LOOKS_LIKE:
        if pattern.search(code):
            return language
    return None


def asked_language(query: str) -> str | None:
    for language, pattern in _ASKED:
        if pattern.search(query):
            return language
    return None


def _dedent(chunk: str) -> str:
    lines = chunk.strip("\n").split("\n")
    return "\n".join(line[4:] if line.startswith("    ") else line.lstrip("\t") for line in lines)
