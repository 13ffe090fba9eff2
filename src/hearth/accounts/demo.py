"""Demo members for trying Hearth locally; every name here is invented."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from hearth.accounts.models import User

DEMO_PASSWORD = "hearth-demo"  # noqa: S105 - printed for local trials; never for production

# (username, display name, short bio)
DEMO_MEMBERS: list[tuple[str, str, str]] = [
    ("willow", "Willow", "Four years into therapy, still learning to sit with the quiet."),
    ("harbour", "Harbour", "Trying to notice what I feel before it turns into a storm."),
    ("fern", "Fern", "Therapy twice a week. Gardening on the days in between."),
    ("marlow", "Marlow", "New here. Mostly reading for now."),
    ("quill", "Quill", "I write to find out what I think."),
    ("sparrow", "Sparrow", "Long-term therapy, long walks, long novels."),
    ("tamsin", "Tamsin", "Learning that endings don't have to be abandonments."),
    ("juniper", "Juniper", ""),
    ("otter", "Otter", "Ten years of on-and-off therapy. Mostly on now."),
    ("rowan", "Rowan", "Here to listen as much as to talk."),
    ("lantern", "Lantern", "Holding a small light for whoever needs it tonight."),
    ("moss", "Moss", "Slow and steady."),
    ("piper", "Piper", "My therapist says I intellectualise. I wrote an essay about it."),
    ("heron", "Heron", "Patience is a practice."),
    ("clover", "Clover", "Between therapists at the moment."),
    ("ember", "Ember", ""),
    ("sage", "Sage", "Peer supporter, former lurker."),
    ("brook", "Brook", "Weekends are the hardest."),
]
DEMO_MODERATOR = ("mod_alder", "Alder (moderator)", "Volunteer moderator. Around most evenings.")
DEMO_ADMIN = ("admin", "Site admin", "Keeps the lights on.")

# How many days ago each demo member joined: the demo's posts are dated over the last
# week, and a member's join date must come before anything they wrote. Marlow is new
# (his introduction says so); the others have been members for months or years.
JOINED_DAYS_AGO = {
    "admin": 760,
    "mod_alder": 720,
    "otter": 700,
    "willow": 640,
    "sage": 560,
    "fern": 530,
    "sparrow": 470,
    "harbour": 410,
    "rowan": 380,
    "heron": 330,
    "quill": 300,
    "lantern": 260,
    "tamsin": 220,
    "juniper": 150,
    "moss": 120,
    "piper": 90,
    "brook": 75,
    "clover": 60,
    "ember": 45,
    "marlow": 9,
}


@transaction.atomic
def create_demo_members() -> list[str]:
    """Create the demo members if they are missing; return the login lines to print.

    Idempotent: existing demo members are left exactly as they are.
    """
    for username, display_name, bio in DEMO_MEMBERS:
        _ensure_member(username, display_name, bio)
    moderator = _ensure_member(*DEMO_MODERATOR)
    admin = _ensure_member(*DEMO_ADMIN)
    if not (admin.is_staff and admin.is_superuser):
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    return [
        f"Demo password for every demo login: {DEMO_PASSWORD}",
        f"  members:   {', '.join(name for name, _, _ in DEMO_MEMBERS[:4])}, ... "
        f"({len(DEMO_MEMBERS)} in all)",
        f"  moderator: {moderator.username}",
        f"  admin:     {admin.username} (also signs in to the Django admin)",
    ]


def _ensure_member(username: str, display_name: str, bio: str) -> User:
    member, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": display_name,
            "bio": bio,
            "email": f"{username}@demo.hearth.invalid",
        },
    )
    if created:
        member.set_password(DEMO_PASSWORD)
        member.date_joined = timezone.now() - timedelta(days=JOINED_DAYS_AGO[username])
        member.save(update_fields=["password", "date_joined"])
        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return member
