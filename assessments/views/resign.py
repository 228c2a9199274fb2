"""The re-sign panel's form, read into the approval's decisions on carried conditions (services.carried_conditions).

Each carried condition posts ``carried-<id>-action`` (keep, edit or drop) with, for an edit, ``-text``,
``-due_date`` and ``-before_launch``, and for a drop an optional ``-comment``; ``carried`` lists the ids shown.
"""

MAX_IDS = 50


def carried_from_post(post):
    """``[{"id", "action", ...}]`` for the service, or None when the post has no re-sign panel."""
    ids = post.getlist("carried")
    if not ids:
        return None
    decisions = []
    for raw_id in ids[:MAX_IDS]:
        cid = int(raw_id) if raw_id.isdigit() else raw_id  # a bad id is the service's 400
        prefix = f"carried-{raw_id}-"
        action = post.get(prefix + "action", "keep")
        decision = {"id": cid, "action": action}
        if action == "edit":
            decision["text"] = post.get(prefix + "text", "")
            if post.get(prefix + "before_launch"):
                decision["before_launch"] = True
            else:
                decision["due_date"] = post.get(prefix + "due_date", "")
        elif action == "drop":
            decision["comment"] = post.get(prefix + "comment", "")
        decisions.append(decision)
    return decisions


# Where the panel shows an error about each field of a carried condition (the element's id after ``carried-<id>-``);
# an error about the condition as a whole (an owner the panel does not show, a bad id) sits at its fieldset.
FIELD_ANCHORS = {
    "text": "text",
    "due_date": "due_date",
    "before_launch": "before_launch",
    "comment": "comment",
    "action": "action-keep",
}


def carried_errors_of(error, decisions):
    """``{condition id: (field, message)}`` of an InputError's ``carried_conditions[n]`` entries, by the posted
    ``decisions``' order; the rest ``[message]`` (about the decisions as a whole, or an id not carried)."""
    by_id, rest = {}, []
    for key, message in error.errors.items():
        if not key.startswith("carried_conditions"):
            continue
        index = key[len("carried_conditions[") : -1]
        cid = decisions[int(index) - 1]["id"] if index.isdigit() and 0 < int(index) <= len(decisions) else None
        if isinstance(cid, int) and error.fields.get(key) != "id":
            by_id[cid] = (error.fields.get(key, ""), message)
        else:
            rest.append(message)
    return by_id, rest


def carried_rows(carried, post=None, errors=None):
    """The panel's carried conditions with what each field shows (what was posted, after a refused post) and
    its error: ``[{"condition", "action", "text", "due_date", "before_launch", "comment", "error"}]``, where
    ``error`` is ``{"field", "message", "anchor"}`` (the id of the element it is about) or None."""
    errors = errors or {}
    rows = []
    for condition in carried:
        prefix = f"carried-{condition.pk}-"
        posted = post is not None and str(condition.pk) in post.getlist("carried")
        row = {
            "condition": condition,
            "action": post.get(prefix + "action", "keep") if posted else "keep",
            "text": post.get(prefix + "text", condition.text) if posted else condition.text,
            "due_date": post.get(prefix + "due_date", "")
            if posted
            else condition.due_date and condition.due_date.isoformat(),
            "before_launch": bool(post.get(prefix + "before_launch")) if posted else condition.before_launch,
            "comment": post.get(prefix + "comment", "") if posted else "",
            "error": None,
        }
        if condition.pk in errors:
            field, message = errors[condition.pk]
            anchor = prefix + FIELD_ANCHORS[field] if field in FIELD_ANCHORS else f"carried-{condition.pk}"
            row["error"] = {"field": field if field in FIELD_ANCHORS else "", "message": message, "anchor": anchor}
        rows.append(row)
    return rows


def resign_context(panel, resigning):
    """The re-sign panel's form as the page shows it: ``resign_rows`` (``carried_rows``), ``resign_errors`` (the
    summary: ``[{"anchor", "label", "message"}]``, each linking to its field), ``resign_posted`` (the comment
    typed) and ``resign_entry`` (the posted form, for the signature's fields). ``resigning``: the refused post."""
    form = resigning["form"] if resigning else None
    rows = carried_rows(
        panel["carried"] if panel else [],
        form.data if form is not None else None,
        resigning.get("carried_errors") if resigning else None,
    )
    summary = []
    if form is not None:
        labels = {"comment": ("resign-comment", "Comment"), "password": ("password-resign-approve", "Password")}
        labels["code"] = ("code-resign-approve", "Code")
        for name, (anchor, label) in labels.items():
            summary.extend({"anchor": anchor, "label": label, "message": m} for m in form.errors.get(name, []))
        summary.extend({"anchor": "", "label": "", "message": m} for m in form.non_field_errors())
    for row in rows:
        if row["error"]:
            label = f"Condition “{_clip(row['condition'].text)}”"
            summary.append({"anchor": row["error"]["anchor"], "label": label, "message": row["error"]["message"]})
    return {
        "resign_rows": rows,
        "resign_errors": summary,
        "resign_posted": {"comment": form.data.get("comment", "")} if form is not None else None,
        "resign_entry": resigning,
        "resign_signature": {"name": "approve"},  # the signature's fields' ids: password-resign-approve
    }


def _clip(text, limit=60):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
