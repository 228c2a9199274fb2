"""What the register tests share: a register text that passes every rule, and a register cache emptied around each
test (the cache outlives each test's rolled-back database)."""

import pytest

from reports import register

TEXT = {
    "contact_email": "team-ai@example.org",
    "senior_responsible_owner": "Head of Client Experience",
    "supplier": "",
    "data_used": "The answers you give on our intake form.",
    "human_oversight": "A care team member reads each summary. They do this before anything else happens.",
    "how_to_complain": "Write to our support team. A person replies within two days.",
    "impact_assessments": "We checked the risks before we used it. We also did a privacy check.",
}


@pytest.fixture(autouse=True)
def fresh_register():
    register.register_invalidate()
    yield
    register.register_invalidate()
