"""What becomes of a departing member in the search index (member_data asks).

Called inside the account deletion's transaction, after the forum rewrote their
posts and others' mentions of them: every entry that could still hold their
words or their name is written again from the posts as they are now, so search
never finds the member once the deletion commits (the housekeeping sweep would
catch up, but minutes later).
"""

from __future__ import annotations

from django.db.models import Q

from hearth.core.text.anonymising import DepartedName
from hearth.search.indexing import index_posts
from hearth.search.models import SearchEntry


def reindex_after_departure(*, post_ids: list[int], name: DepartedName) -> int:
    """Re-index the member's own posts and every post whose entry names them."""
    naming = Q(body__icontains=name.username)
    if name.display_name:
        naming |= Q(body__icontains=name.display_name) | Q(title__icontains=name.display_name)
    mentioning = SearchEntry.objects.filter(naming).values_list("pk", flat=True)
    return index_posts([*post_ids, *mentioning])
