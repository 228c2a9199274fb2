"""Build what a browser posts for the questionnaire form."""

from assessments.forms import field_name


def form_data(answers, **extra):
    data = {}
    for qid, value in answers.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = [str(v) for v in value]
        else:
            value = str(value)
        data[field_name(qid)] = value
    data.update(extra)
    return data
