"""What schemathesis needs to know about this API beyond its schema: how to make a file of a given media type.

The bias upload's ``file`` is a CSV file: the schema says so (``format: binary``,
``encoding.contentType: text/csv``), but its columns cannot be written as a JSON
schema, so a fuzzer left to itself sends bytes that are no CSV and gets a 400
about the content. Registered here, schemathesis sends CSV files of per-group
results instead. Likewise a condition's evidence file (``encoding.contentType:
text/plain``) is sent as UTF-8 text, a kind the endpoint accepts, not random bytes.
The fuzz tests import this module (tests/api/test_schema_fuzz.py),
and the command line loads it with SCHEMATHESIS_HOOKS:

    SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks .venv/bin/st run \\
      'http://127.0.0.1:8000/api/schema/?format=json' --checks all -H "Authorization: Token $TOKEN"
"""

import schemathesis
from hypothesis import strategies as st

CSV = "text/csv"
TEXT = "text/plain"
DIMENSIONS = ("race", "religion", "gender", "language", "age")
METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy")
GROUP = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -", min_size=1, max_size=30).filter(
    lambda text: text.strip() == text
)


@st.composite
def bias_results_csv(draw):
    """A CSV file of per-group results as the upload takes it: ``dimension,group,n,metric,value``."""
    keys = draw(
        st.lists(st.tuples(st.sampled_from(DIMENSIONS), GROUP, st.sampled_from(METRICS)), min_size=1, max_size=8)
    )
    lines = ["dimension,group,n,metric,value"]
    for dimension, group, metric in dict.fromkeys(keys):
        n = draw(st.integers(min_value=1, max_value=100_000))
        value = draw(st.floats(min_value=0, max_value=1, allow_nan=False))
        lines.append(f"{dimension},{group},{n},{metric},{value!r}")
    return ("\r\n".join(lines) + "\r\n").encode()


def evidence_text():
    """A text file of evidence: printable UTF-8, never empty (no control characters: a NUL makes it binary)."""
    return st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200).map(str.encode)


def register():
    """Register the strategies (idempotent): schemathesis keeps media types in a process-wide table."""
    schemathesis.openapi.media_type(CSV, bias_results_csv())
    schemathesis.openapi.media_type(TEXT, evidence_text())


register()
