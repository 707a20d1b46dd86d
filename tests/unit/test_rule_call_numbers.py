"""Rule call numbers (``nth``, ``times``): each one a positive integer, or the rule is refused."""

import pytest

from mockserver.scenarios.rules import RuleError, parse_rules


@pytest.mark.parametrize("nth", [[1, None], [None], [0], [True], ["2"], [2, -1]])
def test_every_nth_entry_must_be_a_positive_call_number(nth):
    # A null inside the list used to be kept and made listing the rules fail with a 500.
    with pytest.raises(RuleError, match="rule 1: nth must be a positive call number"):
        parse_rules([{"status": 429, "nth": nth}])


def test_call_numbers_are_kept_and_listed_in_order():
    [listed, counted, every] = parse_rules(
        [{"status": 429, "nth": [3, 1]}, {"status": 503, "times": 2}, {"status": 500, "nth": None}]
    )
    assert listed.as_dict()["nth"] == [1, 3] and [listed.fires_on(n) for n in (1, 2, 3)] == [True, False, True]
    assert counted.times == 2 and counted.nth is None
    assert every.nth is None and every.times is None and every.fires_on(99)


def test_times_must_be_a_positive_call_number():
    with pytest.raises(RuleError, match="rule 1: times must be a positive call number"):
        parse_rules([{"status": 429, "times": 0}])
