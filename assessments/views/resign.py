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
