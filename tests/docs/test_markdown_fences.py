"""Every Markdown file of the repository closes each code fence it opens: an unclosed fence turns the rest of the
page into code (docs/api.md once rendered its whole comments section that way)."""

import pytest

from .examples import ROOT, fences

SKIPPED = {".git", ".venv", "node_modules", "var", "media", "staticfiles", "test-artifacts", ".local"}


def markdown_files():
    found = []
    for path in sorted(ROOT.rglob("*.md")):
        parts = path.relative_to(ROOT).parts
        if not SKIPPED & set(parts):
            found.append(path)
    return found


def unclosed(text):
    return [fence.line for fence in fences(text) if not fence.closed or fence.swallows]


def test_the_repository_has_markdown_to_check():
    names = {path.relative_to(ROOT).as_posix() for path in markdown_files()}

    assert {"README.md", "docs/api.md"} <= names


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_code_fence_is_closed(path):
    assert unclosed(path.read_text()) == [], f"{path.relative_to(ROOT)}: fences opened at these lines never close"


@pytest.mark.parametrize(
    "text, lines",
    [
        ("Intro\n\n```sh\necho hi\n```\n\nText\n", []),
        ("Intro\n\n```sh\necho hi\n\n**Comments.** More text\n", [3]),
        ("````md\n```sh\nnested\n```\n````\n", []),
        ("````md\n```sh\nnested\n```\n", [1]),
        ("~~~\ncode\n~~~\n\n```json\n{}\n", [5]),
        ("- item\n\n  ```sh\n  echo\n  ```\n", []),
        ("```\n", [1]),
        ("```sh\ncurl x\n\n**Comments.** Text\n\n```sh\ncurl y\n```\n\nMore\n", [1]),
        ("````md\n```sh\nshown\n```\n````\n\n```sh\nreal\n```\n", []),
    ],
    ids=[
        "closed",
        "unclosed",
        "longer-fence",
        "longer-fence-unclosed",
        "tilde-then-unclosed",
        "in-a-list",
        "bare",
        "closed-by-the-next-block",
        "markdown-shown-in-a-longer-fence",
    ],
)
def test_an_unclosed_fence_is_found_at_its_opening_line(text, lines):
    assert unclosed(text) == lines
