"""Word-level differences between two texts, with diff-match-patch.

A changed word in a paragraph is that word removed and its replacement added, not a whole new
paragraph: each word, run of spaces and punctuation mark is one token, mapped to one character
(diff-match-patch's line mode, applied to words), diffed, cleaned up semantically, and mapped back.
The result is structured (``Segment``s); the browser and the dossier render it each their way. Only text is
compared word by word: ``value_diff`` replaces a whole value (a number, a choice: "1,200" to "1,500" is not
"1,[-200-]{+500+}"), ``list_diff`` compares lists item by item.
"""

import re
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

EQUAL = "equal"
REMOVED = "removed"
ADDED = "added"
_OPS = {diff_match_patch.DIFF_EQUAL: EQUAL, diff_match_patch.DIFF_DELETE: REMOVED, diff_match_patch.DIFF_INSERT: ADDED}
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
# The characters standing for tokens start past the control characters and skip the surrogates.
_FIRST = 0x100


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "removed" or "added"
    text: str

    @property
    def changed(self):
        return self.op != EQUAL


def _encode(text, vocabulary, tokens):
    chars = []
    for token in _TOKEN.findall(text):
        code = vocabulary.get(token)
        if code is None:
            code = _FIRST + len(tokens)
            if code >= 0xD800:
                code += 0x800  # past the surrogate range
            vocabulary[token] = code
            tokens.append(token)
        chars.append(chr(code))
    return "".join(chars)


def _decode(chars, tokens):
    out = []
    for char in chars:
        code = ord(char)
        index = code - _FIRST - (0x800 if code >= 0xE000 else 0)
        out.append(tokens[index])
    return "".join(out)


def word_diff(before, after):
    """``[Segment]`` turning ``before`` into ``after`` word by word (either may be empty or None)."""
    before, after = before or "", after or ""
    if before == after:
        return [Segment(EQUAL, before)] if before else []
    vocabulary, tokens = {}, []
    old, new = _encode(before, vocabulary, tokens), _encode(after, vocabulary, tokens)
    engine = diff_match_patch()
    engine.Diff_Timeout = 1.0
    diffs = engine.diff_main(old, new, False)
    engine.diff_cleanupSemantic(diffs)
    return [Segment(_OPS[op], _decode(chars, tokens)) for op, chars in diffs if chars]


def value_diff(before, after):
    """``[Segment]`` replacing one whole value by another (a number, a choice): never a part of one."""
    before, after = before or "", after or ""
    if before == after:
        return [Segment(EQUAL, before)] if before else []
    return [Segment(op, text) for op, text in ((REMOVED, before), (ADDED, after)) if text]


def list_diff(before, after, separator=", "):
    """``[Segment]`` from one list of items to another, item by item: those kept, removed, then added."""
    before, after = list(before or []), list(after or [])
    items = [Segment(EQUAL if item in after else REMOVED, item) for item in before]
    items += [Segment(ADDED, item) for item in after if item not in before]
    segments = []
    for item in items:
        if segments:
            segments.append(Segment(EQUAL, separator))
        segments.append(item)
    return segments


def plain_word_diff(segments):
    """The diff as plain text in git's word-diff notation: ``[-removed-]`` and ``{+added+}``."""
    marks = {EQUAL: "{}", REMOVED: "[-{}-]", ADDED: "{{+{}+}}"}
    return "".join(marks[s.op].format(s.text) for s in segments)
