"""Reading bias evidence from CSV files: per-group results and raw predictions (fairlearn)."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import bias_upload, services
from assessments.bias_upload import UploadRefused, parse_csv, read_upload
from assessments.models import BiasResult

from .workflow import create_draft

GOOD = (
    b"dimension,group,n,metric,value\n"
    b"race,Black,120,selection_rate,0.41\n"
    b"race,White,300,selection_rate,0.44\n"
    b"gender,Woman,230,selection_rate,0.43\n"
)


def test_good_results_become_rows_with_the_files_sha256():
    parsed = parse_csv(GOOD, name="results.csv")

    assert parsed.ok and parsed.format == "results"
    assert parsed.rows[0] == {
        "dimension": "race",
        "group": "Black",
        "n": 120,
        "metric": "selection_rate",
        "value": 0.41,
    }
    assert len(parsed.rows) == 3
    assert parsed.sha256 == hashlib.sha256(GOOD).hexdigest()


def test_the_downloadable_template_is_itself_a_good_file():
    assert parse_csv(bias_upload.TEMPLATE.encode()).ok


def test_a_missing_column_is_named_on_line_1():
    parsed = parse_csv(b"dimension,group,n,metric\nrace,Black,120,selection_rate\n")

    assert not parsed.ok and not parsed.rows
    assert parsed.errors == [
        {
            "line": 1,
            "column": "value",
            "message": "The header has no column “value”; expected dimension, group, n, metric, value.",
        }
    ]


def test_non_numeric_values_are_named_by_line_and_column_and_nothing_is_kept():
    parsed = parse_csv(
        b"dimension,group,n,metric,value\n"
        b"race,Black,120,selection_rate,0.41\n"
        b"race,White,many,selection_rate,high\n"
        b"race,Asian,12.5,selection_rate,1e400\n"
    )

    assert not parsed.rows
    assert [(e["line"], e["column"]) for e in parsed.errors] == [(3, "n"), (3, "value"), (4, "n"), (4, "value")]
    assert "“high” is not a number" in parsed.errors[1]["message"]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_values_that_are_not_finite_numbers_are_refused(value):
    parsed = parse_csv(f"dimension,group,n,metric,value\nrace,Black,120,selection_rate,{value}\n".encode())

    assert parsed.errors and parsed.errors[0]["column"] == "value"


def test_minus_zero_is_stored_as_zero():
    parsed = parse_csv(b"dimension,group,n,metric,value\nrace,Black,120,selection_rate,-0.0\n")

    assert repr(parsed.rows[0]["value"]) == "0.0"


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"dimension,group,n,metric,value\nrace,Bl\x00ack,120,selection_rate,0.4\n", 2),
        (b"dimension,group,n,metric,value\nrace,ok,120,selection_rate,0.4\nrace,\xff\xfe,120,selection_rate,0.4\n", 3),
    ],
)
def test_nul_and_bytes_that_are_not_utf8_are_named_by_line(data, line):
    parsed = parse_csv(data)

    assert not parsed.rows and parsed.errors[0]["line"] == line


def test_more_rows_than_the_limit_are_refused(settings):
    lines = b"".join(b"race,g%d,40,selection_rate,0.5\n" % i for i in range(services.MAX_BIAS_ROWS + 1))
    parsed = parse_csv(b"dimension,group,n,metric,value\n" + lines)

    assert not parsed.rows
    assert f"more than {services.MAX_BIAS_ROWS} rows" in parsed.errors[-1]["message"]


class Unreadable(io.BytesIO):
    """An upload whose content must never be read."""

    def read(self, *args):
        raise AssertionError("the file was read")


def test_a_50_mb_file_is_refused_by_its_size_before_a_byte_is_read():
    upload = Unreadable()
    upload.size = 50 * 1024 * 1024
    upload.name = "huge.csv"

    with pytest.raises(UploadRefused) as refused:
        read_upload(upload)

    assert refused.value.status == 413
    assert "10 MB" in refused.value.message


def test_a_file_at_exactly_the_limit_is_read(settings):
    settings.BIAS_UPLOAD_MAX_BYTES = len(GOOD)
    assert read_upload(SimpleUploadedFile("r.csv", GOOD)).ok
    settings.BIAS_UPLOAD_MAX_BYTES = len(GOOD) - 1
    with pytest.raises(UploadRefused):
        read_upload(SimpleUploadedFile("r.csv", GOOD))


FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_cells_are_stored_as_text_exactly_as_typed(people, cell):
    quoted = '"' + cell.replace('"', '""') + '"'
    parsed = parse_csv(f"dimension,group,n,metric,value\nrace,{quoted},120,selection_rate,0.4\n".encode())
    assert parsed.ok, parsed.errors
    assessment = create_draft(people)

    services.bias_results_add(description=cell, assessment=assessment, rows=parsed.rows, by=people.alice)

    row = BiasResult.objects.get(assessment=assessment)
    assert row.group == cell and row.evidence_batch.description == cell


# -- raw predictions, through fairlearn -------------------------------------------------------------

PREDICTIONS = (
    b"y_true,y_pred,gender,race\n"
    b"1,1,woman,a\n"
    b"1,0,woman,b\n"
    b"0,1,woman,a\n"
    b"0,0,woman,b\n"
    b"1,1,man,a\n"
    b"1,1,man,b\n"
    b"0,0,man,a\n"
    b"0,0,man,b\n"
    b"0,1,man,a\n"
)


def by_hand(samples, dimension_index):
    """Selection rate, TPR and FPR per group, counted directly."""
    rates = {}
    for group in sorted({s[dimension_index] for s in samples}):
        members = [s for s in samples if s[dimension_index] == group]
        positives = [s for s in members if s[0] == 1]
        negatives = [s for s in members if s[0] == 0]
        rates[(group, "selection_rate")] = (len(members), sum(s[1] for s in members) / len(members))
        if positives:
            rates[(group, "true_positive_rate")] = (len(positives), sum(s[1] for s in positives) / len(positives))
        if negatives:
            rates[(group, "false_positive_rate")] = (len(negatives), sum(s[1] for s in negatives) / len(negatives))
    return rates


def test_fairlearn_rates_equal_rates_counted_by_hand():
    samples = [
        (int(t), int(p), g, r) for t, p, g, r in (line.split(",") for line in PREDICTIONS.decode().split("\n")[1:-1])
    ]
    parsed = parse_csv(PREDICTIONS, name="predictions.csv")

    assert parsed.ok and parsed.format == "predictions"
    for dimension, index in (("gender", 2), ("race", 3)):
        got = {(r["group"], r["metric"]): (r["n"], r["value"]) for r in parsed.rows if r["dimension"] == dimension}
        expected = by_hand(samples, index)
        assert set(got) == set(expected)
        for key, (n, value) in expected.items():
            assert got[key][0] == n
            assert got[key][1] == pytest.approx(value, abs=1e-12)
    # Spelled out for one group, so that a wrong hand count cannot hide a wrong computation.
    women = {r["metric"]: r["value"] for r in parsed.rows if r["group"] == "woman"}
    assert women == {"selection_rate": 0.5, "true_positive_rate": 0.5, "false_positive_rate": 0.5}


def test_a_group_without_positives_has_no_true_positive_rate():
    parsed = parse_csv(b"y_true,y_pred,gender\n0,1,woman\n0,0,woman\n1,1,man\n0,0,man\n")

    metrics = {(r["group"], r["metric"]) for r in parsed.rows}
    assert ("woman", "true_positive_rate") not in metrics
    assert ("woman", "false_positive_rate") in metrics


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"y_true,y_pred\n1,1\n", (1, "")),
        (b"y_true,gender\n1,w\n", (1, "y_pred")),
        (b"y_true,y_pred,gender\n1,2,w\n", (2, "y_pred")),
        (b"y_true,y_pred,gender\nyes,1,w\n", (2, "y_true")),
        (b"y_true,y_pred,gender\n1,1,\n", (2, "gender")),
        (b"y_true,y_pred,Gender Identity!\n1,1,w\n", (1, "gender identity!")),
    ],
)
def test_bad_prediction_files_name_line_and_column(data, where):
    parsed = parse_csv(data)

    assert not parsed.rows
    assert (parsed.errors[0]["line"], parsed.errors[0]["column"]) == where
