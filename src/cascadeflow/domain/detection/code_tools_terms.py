"""Evidence that a query is about software beyond the language basics: the shell and
system tools, version control, build and deploy, web and data libraries, language
features, and the error messages programs print ('Segmentation fault', 'command
not found'). Also the imperative shape of a coding task: 'write/implement a
function|program|class|query', whatever the subject of the function is, so that
"write a function to compute the area of a circle" stays code."""

from __future__ import annotations

from cascadeflow.domain.detection.rules import DomainRule, Pattern

_SYSTEM = {
    "grep": 5, "sed": 3, "awk": 4, "curl": 4, "wget": 5, "chmod": 5, "chown": 5, "ssh": 4.5,
    "scp": 5, "rsync": 5, "cron": 4, "crontab": 5, "systemd": 5, "systemctl": 5, "tmux": 5,
    "vim": 4, "emacs": 4, "makefile": 5, "cmake": 5, "gcc": 5, "clang": 5, "javac": 5,
    "jvm": 5, "maven": 4, "gradle": 5, "rustc": 5, "rustup": 5, "goroutine": 5,
    "goroutines": 5, "deno": 4, "pnpm": 5, "homebrew": 3.5, "kubectl": 5, "terraform": 4.5,
    "ansible": 5, "port": 1.5, "ports": 1, "pid": 3, "daemon": 3.5, "env": 3, "stderr": 5,
    "macos": 1.5, "wsl": 5, "virtualenv": 5, "venv": 5, "pipenv": 5, "errno": 5,
    "debugger": 5, "breakpoint": 5, "logging": 2, "logger": 4, "commit": 2.5, "commits": 3,
    "rebase": 5, "checkout": 2, "upstream": 2, "deploy": 3, "deployment": 2.5,
    "container": 2, "containers": 2, "vm": 2, "ec2": 5, "gcp": 4, "heroku": 5, "vercel": 5,
    "netlify": 5, "firebase": 4.5, "supabase": 5, "s3": 3, "azure": 2.5, "cpu": 2,
    "environment variable": 5, "environment variables": 5, "exit code": 4,
    "segmentation fault": 6, "core dumped": 6, "stack overflow": 4, "memory leak": 5,
    "null pointer": 6, "race condition": 5, "permission denied": 4, "command not found": 6,
    "no such file": 5, "merge conflict": 6, "requirements txt": 5, "package json": 5,
    "node modules": 5, "virtual machine": 4, "the terminal": 3, "command prompt": 4,
    "the process": 1, "a process": 0.5, "listening on": 3, "on port": 4,
    "unrelated histories": 6, "git push": 6, "git pull": 6,
    "npm err": 6, "build fails": 4, "compile error": 6, "compiler error": 6,
}

_LANGUAGE_FEATURES = {
    "decorator": 3.5, "decorators": 3.5, "closures": 3, "namespace": 4, "immutable": 4,
    "mutable": 4, "generics": 4, "overloading": 4, "overriding": 4, "override": 2.5,
    "impl": 5, "fn": 4, "cout": 5, "cin": 4, "iostream": 5, "nullptr": 5, "sizeof": 5,
    "typedef": 5, "props": 3.5, "usestate": 5, "useeffect": 5, "redux": 5, "nextjs": 5,
    "svelte": 5, "tailwind": 4, "babel": 2, "eslint": 5, "jest": 3, "junit": 5,
    "springboot": 5, "sqlalchemy": 5, "pydantic": 5, "boto3": 5, "pyspark": 5,
    "hadoop": 5, "kafka": 3, "elasticsearch": 5, "urllib": 5, "subprocess": 5,
    "argparse": 5, "itertools": 5, "functools": 5, "asyncio": 5, "threading": 4,
    "multiprocessing": 4.5, "serialize": 4, "serialization": 4, "deserialize": 5,
    "readline": 4, "readlines": 5, "filepath": 5, "unzip": 3.5, "gzip": 4, "scrape": 3,
    "scraping": 3, "scraper": 3.5, "webhook": 5, "websocket": 5, "md5": 4, "sha256": 4,
    "base64": 5, "xor": 3.5, "uint8": 5, "float64": 5, "dtype": 5, "astype": 5,
    "groupby": 5, "iloc": 5, "df": 3.5, "np": 3.5, "plt": 5, "subplot": 4, "xlabel": 5,
    "ylabel": 5, "cuda": 5, "dataloader": 5, "quicksort": 6, "heapq": 5, "deque": 5,
    "defaultdict": 5, "namedtuple": 5, "enumerate": 3, "isdigit": 5, "isalpha": 5,
    "flatten": 3.5, "duplicates": 2, "axios": 5, "dom": 3.5, "onclick": 5,
    "addeventlistener": 5, "innerhtml": 5, "queryselector": 5, "getelementbyid": 5,
    "localstorage": 5, "middleware": 5, "router": 2.5, "yield": 1.5, "generator": 1.5,
    "generators": 1.5, "deadlock": 4, "unix timestamp": 5,
    "global variable": 5, "local variable": 5, "type hints": 5, "abstract class": 5,
    "borrow checker": 6, "namespace std": 6, "compile time": 4, "garbage collection": 5,
    "garbage collector": 5, "event listener": 5, "status code": 4, "json response": 5,
    "api call": 4, "merge sort": 6, "quick sort": 6, "bubble sort": 6,
    "with open": 5, "file exists": 4, "if file": 2, "key error": 4, "index out of": 5,
    "out of range": 2, "does not live": 3, "the keyword": 2, "keyword argument": 5,
    "default argument": 5, "return value": 4, "return type": 5, "data type": 4,
    "data types": 4, "center a div": 6, "the dom": 5, "merge": 1.5, "two dictionaries": 4,
    "two arrays": 3, "decimal places": 1.5, "is empty": 3, "check if": 1, "passwords": 1.5,
}

CODE_TOOLS_RULE = DomainRule(
    "code",
    {**_SYSTEM, **_LANGUAGE_FEATURES},
    patterns=(
        # a coding task: "Write a (python) function ...", "Implement a class ..."
        Pattern(r"^\W*(?:please\s+)?(?:write|create|implement|define|develop|code|build|generate|complete)"
                r"\s+(?:me\s+)?(?:a|an|the|some)?\s*(?:(?!about\b|on\b|for\b|of\b|that\b)\w+\s+){0,3}?"
                r"(?:function|functions|program|script|method|class|module|query|regex|api|"
                r"endpoint|unit tests?|algorithm|code)\b", 5, lowercase=True, max_chars=120,
                requires_words=frozenset({"function", "functions", "program", "script", "method",
                                          "class", "module", "query", "regex", "api", "endpoint",
                                          "test", "tests", "algorithm", "code"})),
        # files named in the question: 'config.ini', "data.csv", main.py
        Pattern(r"\.(?<=\w\.)(?:py|js|ts|tsx|jsx|java|cpp|hpp|rs|go|rb|php|sh|bat|ps1|ini|cfg|"
                r"conf|toml|yaml|yml|json|xml|csv|txt|log|sql|html|css|md|lock|env|zip|tar|gz)\b",
                3, lowercase=True, requires_chars="."),
        # error names and shapes: "ModuleNotFoundError", "fatal: ...", "ERR!", "errno 13"
        Pattern(r"Error\b(?<=[a-z]Error)|Exception\b(?<=[a-z]Exception)", 4, requires_chars="E"),
        Pattern(r"^\s*(?:fatal|error|warning|npm err!?):", 4, lowercase=True, requires_chars=":"),
    ),
)
