"""The seed crisis directory: only entries we could cite to a source page.

Each entry was checked on 2026-11-30 against the page named in its source,
as stored in our reference copy of that page; administrators should re-check
each against the live site (the admin flags entries after 12 months). Where
no source could be found for a country's crisis lines, the country has only
its emergency number. Never add a number here without a source.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_noop

CHECKED_ON = date(2026, 11, 30)
STORED_COPY_NOTE = (
    "Checked on 2026-11-30 against a stored copy of the source page; "
    "please re-check against the live site."
)

EMERGENCY_NUMBERS: list[dict[str, str]] = [
    {"country": "GB", "number": "999", "source_url": "https://www.swast.nhs.uk/when-to-call-999"},
    {
        "country": "IE",
        "number": "112 or 999",
        "source_url": "https://www2.hse.ie/emergencies/when-to-call-112-or-999/",
    },
    {
        "country": "US",
        "number": "911",
        "source_url": "https://health.wyo.gov/publichealth/prevention/wivpp/suicide-prevention/988-suicide-crisis-lifeline",
    },
    {
        "country": "CA",
        "number": "911",
        "source_url": "https://www.canada.ca/en/public-health/services/suicide-prevention/government-canada-doing-help-prevent-suicide.html",
    },
    {
        "country": "AU",
        "number": "000",
        "source_url": "https://ambulance.qld.gov.au/calling-an-ambulance",
    },
    {
        "country": "NZ",
        "number": "111",
        "source_url": "https://www.police.govt.nz/contact-us/calling-emergency-111",
    },
    # 112 works throughout the European Union (stated on an Irish government page).
    {
        "country": "DE",
        "number": "112",
        "source_url": "https://gov.ie/en/department-of-housing-local-government-and-heritage/publications/calling-the-fire-brigade",
    },
    {
        "country": "FR",
        "number": "112",
        "source_url": "https://gov.ie/en/department-of-housing-local-government-and-heritage/publications/calling-the-fire-brigade",
    },
    {
        "country": "NL",
        "number": "112",
        "source_url": "https://gov.ie/en/department-of-housing-local-government-and-heritage/publications/calling-the-fire-brigade",
    },
    {
        "country": "ES",
        "number": "112",
        "source_url": "https://gov.ie/en/department-of-housing-local-government-and-heritage/publications/calling-the-fire-brigade",
    },
]

RESOURCES: list[dict[str, object]] = [
    {
        "country": "GB",
        "name": "Samaritans",
        "phone": "116 123",
        "website_url": "https://www.samaritans.org",
        "hours": gettext_noop("24 hours a day, every day of the year"),
        "languages": "en",
        "is_free": True,
        "priority": 10,
        "source_url": "https://www.samaritans.org/how-we-can-help/contact-samaritan/",
    },
    {
        "country": "GB",
        "name": "Shout",
        "text": gettext_noop("Text SHOUT to 85258"),
        "website_url": "https://giveusashout.org",
        "hours": "24/7",
        "languages": "en",
        "is_free": True,
        "priority": 20,
        "source_url": "https://giveusashout.org/about-us/faq",
    },
    {
        "country": "US",
        "name": "988 Suicide & Crisis Lifeline",
        "phone": "988",
        "text": gettext_noop("Text 988"),
        "chat_url": "https://988lifeline.org",
        "website_url": "https://988lifeline.org",
        "hours": "24/7",
        "languages": "en",
        "is_free": True,
        "priority": 10,
        "source_url": "https://health.wyo.gov/publichealth/prevention/wivpp/suicide-prevention/988-suicide-crisis-lifeline",
        "notes": "Source is an official state health department page, not the provider's own site.",
    },
    {
        "country": "CA",
        "name": "9-8-8: Suicide Crisis Helpline",
        "phone": "988",
        "text": gettext_noop("Text 988"),
        "website_url": "https://988.ca",
        "hours": gettext_noop("24 hours a day, 7 days a week"),
        "languages": "en, fr",
        "is_free": None,
        "priority": 10,
        "source_url": "https://www.canada.ca/en/public-health/services/suicide-prevention/government-canada-doing-help-prevent-suicide.html",
    },
    {
        "country": "AU",
        "name": "Lifeline",
        "phone": "13 11 14",
        "website_url": "https://www.lifeline.org.au",
        "hours": gettext_noop("24-hour crisis line"),
        "languages": "en",
        "is_free": None,
        "priority": 10,
        "source_url": "https://lifelineh2h.org.au/get-help/telephone-crisis-support/faqs/",
        "notes": "Source is a Lifeline centre's page. Calls from mobiles are free; landlines may cost a local call.",
    },
    {
        "country": "DE",
        "name": "TelefonSeelsorge",
        "phone": "0800 111 0 111 or 0800 111 0 222",
        "website_url": "https://www.telefonseelsorge.de",
        "languages": "de",
        "is_free": None,
        "priority": 10,
        "source_url": "https://www.telefonseelsorge-dueren.de/details-2333/woche-fuer-das-leben-suizidpraevention.html",
        "notes": "Source is a regional TelefonSeelsorge centre; it does not state hours or cost.",
    },
    {
        "country": "FR",
        "name": "3114 - numéro national de prévention du suicide",
        "phone": "3114",
        "website_url": "https://3114.fr",
        "hours": "24h/24",
        "languages": "fr",
        "is_free": True,
        "priority": 10,
        "source_url": "https://3114.fr/que-se-passe-t-il-quand-je-contacte-le-3114/",
    },
    {
        "country": "NL",
        "name": "113 Zelfmoordpreventie",
        "phone": "113",
        "website_url": "https://www.113.nl",
        "languages": "nl",
        "is_free": True,
        "priority": 10,
        "source_url": "https://www.113.nl/schoolopdracht",
    },
]

CONTENT_NOTE_LABELS: list[tuple[str, str, str]] = [
    ("suicide", gettext_noop("Suicide"), gettext_noop("Thoughts of suicide, or talk about it.")),
    (
        "self-harm",
        gettext_noop("Self-harm"),
        gettext_noop("Hurting oneself, urges or past experiences."),
    ),
    ("abuse", gettext_noop("Abuse"), gettext_noop("Abuse of any kind, past or present.")),
    (
        "eating",
        gettext_noop("Eating and body image"),
        gettext_noop("Food, weight, eating difficulties."),
    ),
    (
        "grief",
        gettext_noop("Grief and loss"),
        gettext_noop("Death, bereavement, losses of all kinds."),
    ),
    ("trauma", gettext_noop("Trauma"), gettext_noop("Traumatic experiences or their effects.")),
    (
        "therapy-ending",
        gettext_noop("Therapy ending"),
        gettext_noop("Endings with a therapist, planned or sudden."),
    ),
    ("therapist-away", gettext_noop("Therapist away"), gettext_noop("Breaks, holidays, absences.")),
    ("substances", gettext_noop("Alcohol and drugs"), gettext_noop("Use of alcohol or drugs.")),
]
