"""Check-ins from peers while the therapist is away: the one part of the toolkit that
involves another member, and the one part other apps may import.

In a therapist-break plan a member may ask up to ``MOST_HELPERS`` members they could
start a conversation with to check in during the break. Each is asked (a
notification), answers yes or no, and, if yes, is told on each day the asker chose
"Willow asked you to check in this week", with a link to a private conversation
between the two. Either may end it at any time.

What crosses to the other member is only this: who asked, the answer, the days.
Nothing written in the toolkit, not the break's dates, not that a plan exists. The
rows (``PeerCheckIn``, ``PeerCheckInDay``) hold no text; the package imports nothing
but core, accounts and the toolkit's own models, and reaches the conversations app
through ``hearth.core.providers`` (``Messaging``). Notifications listen to
``events``; the data export reads ``export``; conversations ask ``selectors``
whether a member was asked to check in.
"""
