import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from voiceassist.common.roles import BACK_OFFICE

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``UserFactory(role=BACK_OFFICE)`` puts them in that role (the group must exist)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.set_password(PASSWORD)
        if extracted:
            self.is_staff = extracted == BACK_OFFICE
        self.save()
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))


def api_token_for(user) -> str:
    """A new API token for ``user``, made the way the admin makes one; returns the key for ``Authorization: Token``."""
    from voiceassist.api_tokens.services import api_token_create

    _, key = api_token_create(actor=None, user=user, valid_days=None)
    return key
