"""Rate limits count actions per key in a fixed window."""

import pytest

from hearth.core.ratelimit import RateLimit, allow


@pytest.mark.django_db  # on PostgreSQL the counters are a table
def test_a_rate_limit_allows_up_to_its_limit_then_refuses() -> None:
    rate = RateLimit(limit=3, window_seconds=60)

    results = [allow("test", "member-1", rate) for _ in range(5)]

    assert results == [True, True, True, False, False]
    assert allow("test", "member-2", rate) is True


@pytest.mark.parametrize("text", ["20", "a/b", "0/60", "5/0", "1/2/3"])
def test_a_malformed_rate_limit_setting_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        RateLimit.parse(text)


def test_a_rate_limit_setting_parses() -> None:
    assert RateLimit.parse("20/600") == RateLimit(limit=20, window_seconds=600)
