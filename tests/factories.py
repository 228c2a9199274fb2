from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts import roles
from assessments.models import Team

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.LazyAttribute(lambda u: u.username.capitalize())

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=name)[0])


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"team-{n}")
    name = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").title())

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if extracted:
            self.members.add(*extracted)


def make_people():
    """The usual cast (the ``people`` fixture): a team of two, one reviewer per domain, a chair, an auditor, an
    outsider, an admin."""
    team = TeamFactory(slug="client-experience", name="Client Experience")
    alice = UserFactory(username="alice")
    ben = UserFactory(username="ben")
    team.members.add(alice, ben)
    reviewers = {domain: UserFactory(username=f"{domain}_reviewer", roles=[domain]) for domain in roles.DOMAINS}
    other_team = TeamFactory(slug="growth", name="Growth")
    olga = UserFactory(username="olga")
    other_team.members.add(olga)
    return SimpleNamespace(
        team=team,
        alice=alice,
        ben=ben,
        reviewers=reviewers,
        chair=UserFactory(username="chair", roles=[roles.CHAIR]),
        auditor=UserFactory(username="audrey", roles=[roles.AUDITOR]),
        other_team=other_team,
        olga=olga,
        admin=UserFactory(username="admin", is_staff=True, is_superuser=True),
        nobody=UserFactory(username="nobody"),
    )
