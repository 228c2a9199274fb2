"""The auditor's workspace is in the top navigation of exactly those whom /reports/ admits."""

import re

import pytest
from django.urls import reverse

from accounts import roles

from ..factories import UserFactory

WORKSPACE = reverse("reports_workspace")
LINK = re.compile(r'<a href="/reports/"( aria-current="page")?>Audit workspace</a>')


def main_nav(page):
    return page.split('<nav class="main-nav" aria-label="Main">', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize("who", ["auditor", "chair", "admin"])
def test_those_who_may_use_the_workspace_find_it_in_the_navigation(people, login, who):
    client = login(getattr(people, who))
    home = main_nav(client.get(reverse("home")).content.decode())
    assert LINK.search(home).group(1) is None  # there, and not the current page
    workspace = client.get(WORKSPACE)
    assert workspace.status_code == 200
    assert LINK.search(main_nav(workspace.content.decode())).group(1) == ' aria-current="page"'


@pytest.mark.parametrize("who", ["alice", "legal", "olga", "nobody"])
def test_nobody_else_sees_the_link_and_the_page_refuses_them(people, login, who):
    user = people.reviewers["legal"] if who == "legal" else getattr(people, who)
    client = login(user)
    assert not LINK.search(client.get(reverse("home")).content.decode())
    assert "Audit workspace" not in client.get(reverse("assessment_list")).content.decode()
    assert client.get(WORKSPACE).status_code == 403


def test_an_auditor_who_loses_the_role_loses_the_link(people, login):
    auditor = UserFactory(username="former_auditor", roles=[roles.AUDITOR])
    assert LINK.search(login(auditor).get(reverse("home")).content.decode())
    auditor.groups.clear()
    roles.forget(auditor)
    assert not LINK.search(login(auditor).get(reverse("home")).content.decode())
