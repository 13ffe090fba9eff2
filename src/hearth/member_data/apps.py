from django.apps import AppConfig


class MemberDataConfig(AppConfig):
    """A member's own data: the archive they can download, and leaving for good."""

    name = "hearth.member_data"
    label = "member_data"
    verbose_name = "Member data"
