"""Risk level from the answers (DESIGN section 4; the Canadian AIA's method).

raw = sum of risk scores of visible answers; mitigation = sum of mitigation
scores. If mitigation reaches 80% of its maximum, raw is reduced by 15%. The
level is the quartile of the raw maximum the (reduced) score falls in.
"""

from decimal import ROUND_HALF_UP, Decimal

MITIGATION_THRESHOLD = Decimal("0.8")
MITIGATION_REDUCTION = Decimal("0.15")


def risk_score(questionnaire, answers):
    visible = questionnaire.visible_answers(answers)
    raw = raw_max = mitigation = mitigation_max = 0
    contributions = []
    for question in questionnaire.questions.values():
        if question.kind == "risk":
            raw_max += question.max_score
        elif question.kind == "mitigation":
            mitigation_max += question.max_score
        else:
            continue
        if question.id not in visible:
            continue
        score = question.score_of(visible[question.id])
        if question.kind == "risk":
            raw += score
        else:
            mitigation += score
        if score:
            contributions.append({"question": question.id, "kind": question.kind, "score": score})
    mitigated = mitigation_max > 0 and Decimal(mitigation) >= MITIGATION_THRESHOLD * mitigation_max
    adjusted = Decimal(raw) * (1 - MITIGATION_REDUCTION) if mitigated else Decimal(raw)
    adjusted = adjusted.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {
        "raw": raw,
        "raw_max": raw_max,
        "mitigation": mitigation,
        "mitigation_max": mitigation_max,
        "mitigation_applied": mitigated,
        "adjusted": float(adjusted),
        "level": level_for(adjusted, raw_max),
        "contributions": contributions,
    }


def level_for(score, raw_max):
    """1 up to 25% of the maximum, 2 up to 50%, 3 up to 75%, 4 above."""
    if raw_max <= 0:
        return 1
    share = Decimal(score) / Decimal(raw_max)
    if share <= Decimal("0.25"):
        return 1
    if share <= Decimal("0.50"):
        return 2
    if share <= Decimal("0.75"):
        return 3
    return 4
