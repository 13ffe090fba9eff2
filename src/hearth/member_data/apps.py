from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MemberDataConfig(AppConfig):
    """A member's own data: the archive they can download, and leaving for good."""

    name = "hearth.member_data"
    label = "member_data"
    verbose_name = _("Member data")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415

        from hearth.core.housekeeping import register_housekeeping  # noqa: PLC0415
        from hearth.member_data.deletion import delete_due_accounts  # noqa: PLC0415
        from hearth.member_data.export_tasks import purge_exports  # noqa: PLC0415
        from hearth.member_data.signals import cancel_deletion_on_sign_in  # noqa: PLC0415

        register_housekeeping("data exports purged", purge_exports)
        user_logged_in.connect(cancel_deletion_on_sign_in, dispatch_uid="member-data-cancel")
        register_housekeeping("accounts deleted", delete_due_accounts)
