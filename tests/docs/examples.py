"""The shell examples of the documentation, read from the Markdown as a reader reads them, and run.

A page's examples are its ``sh`` code blocks, in order; a ``json`` block right after
one is the output that block prints. ``run_page`` runs them one after the other in a
single ``bash -euo pipefail``, so variables carry from block to block as in a
reader's terminal, and stops at the first command that fails. ``matches`` compares a
sample output with the real one, exactly except where the value is an id or a date.

Markdown is parsed with markdown-it-py (CommonMark), the same reading GitHub gives.
"""

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
# The address the pages give; the tests substitute the server they start.
DOCUMENTED_SERVER = "http://127.0.0.1:8000"
# Values that differ from run to run: matched by kind, not by value.
LOOSE_KEYS = {"id", "reply_to"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@dataclass
class Example:
    line: int  # 1-based line of the block's opening fence in its page
    script: str
    output: str | None  # the json block that follows, when there is one


@dataclass
class Fence:
    line: int
    info: str
    content: str
    closed: bool  # a closing fence ends it before the text does
    swallows: bool  # it holds a line that can only be meant to open another block: its own close is missing


OPENING = re.compile(r" {0,3}(`{3,}|~{3,})[^`~\s]")


def fences(text):
    """Every fenced code block of a Markdown text, with whether it is closed as its author meant.

    A fence left open runs to the end of the text, or to the next bare fence line: then the block after it
    opens inside it (its ```sh line becomes code) and closes it, and the fences still pair up. Such a line,
    an opening fence with an info string no shorter than this block's own, is what gives the missing close away
    (a longer fence around shorter ones, as when showing Markdown, is fine).
    """
    lines = text.splitlines()
    found = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type != "fence":
            continue
        start, end = token.map
        opening = lines[start].strip()
        char, length = opening[0], len(opening) - len(opening.lstrip(opening[0]))
        last = lines[end - 1].strip() if end - 1 > start else ""
        closed = end - 1 > start and set(last) == {char} and len(last) >= length
        inner = (OPENING.match(line) for line in token.content.splitlines())
        swallows = any(m and m.group(1)[0] == char and len(m.group(1)) >= length for m in inner)
        found.append(Fence(start + 1, token.info.strip(), token.content, closed, swallows))
    return found


def section(text, heading):
    """The part of a Markdown text under ``heading`` (a ``## `` line), up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section {heading!r}"
    offset = text[: match.start(1)].count("\n")
    return match.group(1), offset


def shell_examples(text, line_offset=0):
    """The ``sh`` blocks of ``text`` in order, each with the ``json`` block right after it, if any."""
    tokens = [t for t in MarkdownIt("commonmark").parse(text) if t.level == 0 and t.nesting >= 0]
    examples = []
    for i, token in enumerate(tokens):
        if token.type != "fence" or token.info.strip() != "sh":
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        output = after.content if after is not None and after.type == "fence" and after.info.strip() == "json" else None
        examples.append(Example(token.map[0] + 1 + line_offset, token.content, output))
    return examples


def json_values(text):
    """The JSON values printed one after another (as curl and jq print them), or ValueError."""
    decoder = json.JSONDecoder()
    values, position = [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return values
        value, position = decoder.raw_decode(text, position)
        values.append(value)


def mismatch(expected, actual, path="$"):
    """Where ``actual`` differs from the documented ``expected`` (None when it matches): ids match any id,
    dates any date, date-times any date-time; everything else exactly, keys and order of lists included."""
    key = path.rsplit(".", 1)[-1]
    if key in LOOSE_KEYS and isinstance(expected, int) and not isinstance(expected, bool):
        return None if isinstance(actual, int) and not isinstance(actual, bool) else f"{path}: {actual!r} is no id"
    if isinstance(expected, str) and (DATETIME.fullmatch(expected) or DATE.fullmatch(expected)):
        pattern = DATETIME if DATETIME.fullmatch(expected) else DATE
        ok = isinstance(actual, str) and pattern.fullmatch(actual)
        return None if ok else f"{path}: {actual!r} is not a date like {expected!r}"
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or list(actual) != list(expected):
            keys = list(actual) if isinstance(actual, dict) else actual
            return f"{path}: keys {keys!r}, documented {list(expected)!r}"
        for name in expected:
            found = mismatch(expected[name], actual[name], f"{path}.{name}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: {actual!r}, documented {expected!r}"
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found = mismatch(e, a, f"{path}[{index}]")
            if found:
                return found
        return None
    if type(expected) is not type(actual) or expected != actual:
        return f"{path}: {actual!r}, documented {expected!r}"
    return None


def output_mismatch(documented, printed):
    """Why the printed output is not the documented one, or None."""
    try:
        expected = json_values(documented)
    except ValueError as error:
        return f"the documented output is not JSON: {error}"
    try:
        actual = json_values(printed)
    except ValueError:
        return f"the output is not JSON:\n{printed}"
    if len(actual) != len(expected):
        return f"{len(actual)} values printed, {len(expected)} documented:\n{printed}"
    for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
        found = mismatch(e, a, f"value {index + 1}")
        if found:
            return f"{found}\nprinted:\n{printed}"
    return None


@dataclass
class Run:
    returncode: int
    outputs: list  # stdout of each block that ran, in order
    errors: list  # stderr of each block that ran
    failed: int | None  # index of the block that stopped the run, when one did


def run_page(examples, *, server, workdir, timeout=300):
    """Run ``examples`` in order in one ``bash -euo pipefail`` in ``workdir``, against ``server``.

    Each block is sourced, so its variables carry on to the next, with its output
    kept apart; the first command that fails stops the run, as it would stop a job.
    """
    workdir = Path(workdir)
    blocks = workdir / ".blocks"
    blocks.mkdir()
    driver = []
    for index, example in enumerate(examples):
        (blocks / f"{index}.sh").write_text(example.script.replace(DOCUMENTED_SERVER, server))
        driver.append(f"echo {index} > .blocks/current")
        driver.append(f"source .blocks/{index}.sh > .blocks/{index}.out 2> .blocks/{index}.err")
    driver.append("echo done > .blocks/current")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", "\n".join(driver)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    reached = (blocks / "current").read_text().strip()
    count = len(examples) if reached == "done" else int(reached) + 1
    return Run(
        returncode=result.returncode,
        outputs=[(blocks / f"{i}.out").read_text() for i in range(count)],
        errors=[(blocks / f"{i}.err").read_text() for i in range(count)],
        failed=None if reached == "done" else int(reached),
    )
