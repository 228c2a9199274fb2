"""Reading bias evidence from uploaded CSV files, for the browser and the API alike.

Two kinds of file, told apart by their header:

- per-group results: ``dimension,group,n,metric,value``, one row per group and metric;
- raw predictions: ``y_true,y_pred`` (0 or 1) and one column per identity dimension; the
  selection rate, true-positive rate and false-positive rate of each group are computed with
  fairlearn's ``MetricFrame`` and become rows (``n`` is the number of samples each rate
  is computed over: the group, its positives, its negatives). Pairs of dimensions may be
  asked for (``intersections``, e.g. ``race+gender``): each pair becomes one more dimension,
  ``race_x_gender``, whose groups are the combinations (``Black × Woman``).

Every metric must be one ``metrics.py`` declares; an unknown one is an error naming it
and the known ones.

The size is checked before a byte is read; rows are limited; every problem is reported
with its line and column, and a file with any problem yields no rows. Cells are kept
as text exactly as typed (a leading ``=`` included); exports neutralise them.
"""

import csv
import hashlib
import io
import math
from dataclasses import dataclass, field

from django.conf import settings

from . import canonical, metrics
from .bias_services import DIMENSION, MAX_BIAS_ROWS
from .errors import FileRefused
from .models import BiasBatch
from .questionnaire import MAX_NUMBER
from .uploads import read_capped

RESULT_COLUMNS = ("dimension", "group", "n", "metric", "value")
PREDICTION_COLUMNS = ("y_true", "y_pred")
RESULTS = "results"
PREDICTIONS = "predictions"
PREDICTION_METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate")
MAX_ERRORS = 50  # a file wrong on every line is reported by its first problems
TEMPLATE = (
    "dimension,group,n,metric,value\r\n"
    "race,Black,412,selection_rate,0.41\r\n"
    "race,White,655,selection_rate,0.44\r\n"
    "gender,Woman,730,selection_rate,0.43\r\n"
    "gender,Man,337,selection_rate,0.42\r\n"
)


@dataclass
class ParsedUpload:
    """What a file yields: rows for ``services.bias_results_add``, or the errors that stop it."""

    format: str
    name: str
    sha256: str
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # [{"line", "column", "message"}]
    intersections: tuple = ()

    @property
    def method(self):
        """How the rows were obtained, as the batch's provenance records it."""
        return BiasBatch.Method.PREDICTIONS if self.format == PREDICTIONS else BiasBatch.Method.RESULTS_FILE

    @property
    def tool(self):
        """The library and version that computed the rates, for raw predictions."""
        return fairlearn_version() if self.format == PREDICTIONS else ""

    def provenance(self):
        """The keyword arguments of ``services.bias_results_add`` that say where the rows come from."""
        return {
            "method": self.method,
            "tool": self.tool,
            "source_name": self.name,
            "source_sha256": self.sha256,
            "intersections": self.intersections,
        }

    @property
    def ok(self):
        return not self.errors and bool(self.rows)

    def error(self, line, column, message):
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "column": column, "message": message})

    def error_text(self):
        """Every error on one line each: ``line 3, column value: ...``."""
        return "; ".join(_where(e) + e["message"] for e in self.errors)


class UploadRefused(FileRefused):
    """The file of bias results is refused as a whole (too large, empty, not a file): the 400 or 413 says why."""


def _where(error):
    parts = []
    if error["line"]:
        parts.append(f"line {error['line']}")
    if error["column"]:
        parts.append(f"column {error['column']}")
    return (", ".join(parts) + ": ") if parts else ""


def fairlearn_version():
    from importlib.metadata import version

    return f"fairlearn {version('fairlearn')}"


INTERSECTION_SEPARATOR = "_x_"


def parse_intersections(text):
    """``"race+gender, religion+gender"`` -> ``(("race", "gender"), ("religion", "gender"))``; bad text is refused."""
    if text is None or not str(text).strip():
        return ()
    pairs = []
    for part in str(text).split(","):
        names = [name.strip().lower() for name in part.split("+")]
        if len(names) != 2 or not all(DIMENSION.match(name) for name in names) or names[0] == names[1]:
            raise UploadRefused(
                f"“{_clip(part.strip())}” is not a pair of dimensions; write pairs such as race+gender, "
                "separated by commas."
            )
        name = INTERSECTION_SEPARATOR.join(names)
        if not DIMENSION.match(name):
            raise UploadRefused(f"The intersection {name} would be a dimension name over 50 characters.")
        if tuple(names) not in pairs:
            pairs.append(tuple(names))
    return tuple(pairs)


def too_large():
    limit = settings.BIAS_UPLOAD_MAX_BYTES
    return UploadRefused(f"The file is over the limit of {limit // (1024 * 1024)} MB; nothing was read.", 413)


def read_upload(upload, *, intersections=()):
    """Read an uploaded file (a Django UploadedFile) into a ParsedUpload. The size is checked first."""
    missing = UploadRefused("Choose a CSV file to upload.")
    data = read_capped(upload, settings.BIAS_UPLOAD_MAX_BYTES, missing=missing, too_large=too_large)
    name = str(getattr(upload, "name", "") or "upload.csv")[:255]
    if not canonical.is_storable_text(name):
        name = "upload.csv"
    return parse_csv(data, name=name, intersections=intersections)


def parse_csv(data, *, name="upload.csv", intersections=()):
    """Parse the bytes of a CSV file of either kind (told apart by its header); ``intersections`` are pairs
    of dimension columns of a raw-predictions file."""
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise UploadRefused("The file is empty.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        parsed = ParsedUpload(RESULTS, name, digest)
        parsed.error(line, "", "This line is not UTF-8 text; save the file as CSV (UTF-8).")
        return parsed
    records = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(records)
    except (csv.Error, StopIteration):
        raise UploadRefused("The file has no header line.") from None
    header = [column.strip().lower() for column in header]
    kind = PREDICTIONS if "y_true" in header or "y_pred" in header else RESULTS
    parsed = ParsedUpload(kind, name, digest, intersections=tuple(intersections))
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        parsed.error(line, "", "This line contains a NUL character; a CSV file is text.")
        return parsed
    if kind == RESULTS:
        _parse_results(parsed, header, records)
    else:
        _parse_predictions(parsed, header, records)
    if not parsed.errors and not parsed.rows:
        parsed.error(2, "", "The file has a header but no rows.")
    return parsed


def _records(parsed, records, limit):
    """``(line, cells)`` for each non-blank record; a broken record or too many rows is an error."""
    count = 0
    try:
        for cells in records:
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > limit:
                parsed.error(records.line_num, "", f"The file has more than {limit} rows; split it.")
                return
            yield records.line_num, cells
    except csv.Error as error:
        parsed.error(records.line_num, "", f"This line is not valid CSV ({error}).")


def _missing_columns(parsed, header, wanted):
    missing = [column for column in wanted if column not in header]
    for column in missing:
        parsed.error(1, column, f"The header has no column “{column}”; expected {', '.join(wanted)}.")
    return bool(missing)


def _text_cell(parsed, line, column, value, limit=100):
    value = value.strip()
    if not value:
        parsed.error(line, column, "This cell is empty.")
    elif len(value) > limit:
        parsed.error(line, column, f"This cell is {len(value)} characters long; the limit is {limit}.")
    elif not canonical.is_storable_text(value):
        parsed.error(line, column, "This cell " + canonical.unstorable_text(value))
    else:
        return value
    return None


def _dimension_cell(parsed, line, column, value):
    value = value.strip().lower()
    if not DIMENSION.match(value):
        parsed.error(line, column, "The dimension must be a short lowercase name such as race, religion or gender.")
        return None
    return value


def _metric_cell(parsed, line, column, value):
    value = _text_cell(parsed, line, column, value)
    if value is not None and not metrics.is_known(value):
        parsed.error(line, column, metrics.unknown_metric_message(value))
        return None
    return value


def _parse_results(parsed, header, records):
    if parsed.intersections:
        parsed.error(1, "", "Intersections are computed from raw predictions; this file has per-group results.")
        return
    if _missing_columns(parsed, header, RESULT_COLUMNS):
        return
    at = {column: header.index(column) for column in RESULT_COLUMNS}
    rows, seen = [], {}
    for line, cells in _records(parsed, records, MAX_BIAS_ROWS):
        if len(cells) < len(header):
            parsed.error(line, "", f"This line has {len(cells)} cells; the header has {len(header)}.")
            continue
        cell = {column: cells[index] for column, index in at.items()}
        before = len(parsed.errors)
        dimension = _dimension_cell(parsed, line, "dimension", cell["dimension"])
        group = _text_cell(parsed, line, "group", cell["group"])
        metric = _metric_cell(parsed, line, "metric", cell["metric"])
        n = _count_cell(parsed, line, "n", cell["n"])
        value = _number_cell(parsed, line, "value", cell["value"])
        if metric and value is not None and metrics.metric(metric).proportion and not 0 <= value <= 1:
            parsed.error(line, "value", f"The {metric} is a proportion: its value must be between 0 and 1.")
        if len(parsed.errors) == before:
            same = (dimension, metric, group)
            if same in seen:
                parsed.error(line, "", f"Line {seen[same]} gives the {metric} of “{group}” ({dimension}) already.")
                continue
            seen[same] = line
            rows.append({"dimension": dimension, "group": group, "n": n, "metric": metric, "value": value})
    if not parsed.errors:
        parsed.rows = rows


def _count_cell(parsed, line, column, value):
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        parsed.error(line, column, f"“{_clip(value)}” is not a whole number; the sample size n counts people.")
        return None
    number = int(value)
    if not 1 <= number <= 2_000_000_000:
        parsed.error(line, column, "The sample size n must be at least 1.")
        return None
    return number


def _number_cell(parsed, line, column, value):
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not math.isfinite(number) or abs(number) > MAX_NUMBER:
        parsed.error(line, column, f"“{_clip(value)}” is not a number.")
        return None
    return number + 0.0  # -0.0 is stored as 0.0


def _clip(text, limit=40):
    text = text if canonical.is_storable_text(text) else text.encode("utf-8", "replace").decode("utf-8", "replace")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_predictions(parsed, header, records):
    if _missing_columns(parsed, header, PREDICTION_COLUMNS):
        return
    dimensions = [column for column in header if column not in PREDICTION_COLUMNS]
    if not dimensions:
        parsed.error(1, "", "Add one column per identity dimension (race, religion, gender, ...) after y_true, y_pred.")
        return
    for column in dimensions:
        _dimension_cell(parsed, 1, column, column)
    if len(set(dimensions)) != len(dimensions):
        parsed.error(1, "", "Each dimension may have one column only.")
    for pair in parsed.intersections:
        for name in pair:
            if name not in dimensions:
                parsed.error(1, "", f"The intersection {'+'.join(pair)} names {name}, which is not a column.")
    if parsed.errors:
        return
    at = {column: header.index(column) for column in header}
    y_true, y_pred = [], []
    groups = {d: [] for d in dimensions}
    for line, cells in _records(parsed, records, settings.BIAS_UPLOAD_MAX_PREDICTION_ROWS):
        if len(cells) < len(header):
            parsed.error(line, "", f"This line has {len(cells)} cells; the header has {len(header)}.")
            continue
        truth = _label_cell(parsed, line, "y_true", cells[at["y_true"]])
        prediction = _label_cell(parsed, line, "y_pred", cells[at["y_pred"]])
        found = {d: _text_cell(parsed, line, d, cells[at[d]]) for d in dimensions}
        y_true.append(truth)
        y_pred.append(prediction)
        for d, value in found.items():
            groups[d].append(value)
    if parsed.errors or not y_true:
        return
    for a, b in parsed.intersections:
        groups[INTERSECTION_SEPARATOR.join((a, b))] = [f"{x} × {y}" for x, y in zip(groups[a], groups[b], strict=True)]
    parsed.rows = rates_by_group(y_true, y_pred, groups)


def _label_cell(parsed, line, column, value):
    value = value.strip()
    if value not in ("0", "1"):
        parsed.error(line, column, f"“{_clip(value)}” is not 0 or 1.")
        return None
    return int(value)


def rates_by_group(y_true, y_pred, groups):
    """Selection rate, true-positive rate and false-positive rate per group of each dimension, by fairlearn.

    ``groups`` maps a dimension to each sample's group. Each rate's ``n`` is the number of samples it is
    computed over; a rate over no samples (a group without positives has no true-positive rate) is left out.
    """
    import numpy as np
    import pandas as pd
    from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate

    truth = np.asarray(y_true, dtype=int)
    predicted = np.asarray(y_pred, dtype=int)
    rows = []
    for dimension, values in groups.items():
        features = pd.Series(values, name=dimension, dtype=object)
        frame = MetricFrame(
            metrics={
                "selection_rate": selection_rate,
                "true_positive_rate": true_positive_rate,
                "false_positive_rate": false_positive_rate,
            },
            y_true=truth,
            y_pred=predicted,
            sensitive_features=features,
        )
        table = frame.by_group
        for group in sorted(table.index, key=str):
            members = (features == group).to_numpy()
            sizes = {
                "selection_rate": int(members.sum()),
                "true_positive_rate": int((members & (truth == 1)).sum()),
                "false_positive_rate": int((members & (truth == 0)).sum()),
            }
            for metric in PREDICTION_METRICS:
                value = float(table.loc[group, metric])
                if sizes[metric] == 0 or not math.isfinite(value):
                    continue
                rows.append(
                    {"dimension": dimension, "group": str(group), "n": sizes[metric], "metric": metric, "value": value}
                )
    return rows
