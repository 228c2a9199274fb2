"""The frameworks a question maps to besides NIST AI RMF: ISO/IEC 42005 clauses and EU AI Act points.

The elements each framework is checked for are data (``frameworks.yaml``); the questionnaire
loader accepts only the ids listed there, so a typo in a mapping fails at start-up.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

FRAMEWORKS_FILE = Path(__file__).resolve().parent / "frameworks.yaml"
# The keys a question may carry, in the order coverage lists the frameworks.
MAPPING_KEYS = ("nist", "iso42005", "eu_ai_act")
NIST_TITLE = "NIST AI RMF 1.0"


@dataclass(frozen=True)
class Element:
    id: str
    label: str


@dataclass(frozen=True)
class Framework:
    key: str
    title: str
    elements: tuple  # of Element, in the file's order

    def element_ids(self):
        return [e.id for e in self.elements]


@cache
def listed_frameworks():
    """``{key: Framework}`` for the frameworks whose elements are listed (ISO/IEC 42005, EU AI Act)."""
    with open(FRAMEWORKS_FILE, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {
        key: Framework(
            key, str(entry["title"]), tuple(Element(str(e["id"]), str(e["label"])) for e in entry["elements"])
        )
        for key, entry in data.items()
    }


def read_mappings(qid, raw):
    """The question's ``iso42005`` and ``eu_ai_act`` ids as tuples, and the problems found in them."""
    problems = []
    found = {}
    for key, framework in listed_frameworks().items():
        refs = raw.get(key) or ()
        if not isinstance(refs, list | tuple) or not all(isinstance(r, str) for r in refs):
            problems.append(f"{qid}: {key} must be a list of texts such as {framework.elements[0].id!r}")
            found[key] = ()
            continue
        known = framework.element_ids()
        for ref in refs:
            if ref not in known:
                problems.append(f"{qid}: {ref!r} is not a {framework.title} element listed in frameworks.yaml")
        found[key] = tuple(refs)
    return found, problems
