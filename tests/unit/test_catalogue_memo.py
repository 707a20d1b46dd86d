"""The catalogue's memory of computed answers: bounded, least recently used first."""

from mockserver.catalogue import Memo


def test_memo_computes_once_and_forgets_the_least_recently_used():
    memo, made = Memo(limit=2), []

    def make(key):
        return lambda: made.append(key) or f"value of {key}"

    assert memo.get_or_make("a", make("a")) == "value of a"
    assert memo.get_or_make("a", make("a")) == "value of a" and made == ["a"]
    memo.get_or_make("b", make("b"))
    memo.get_or_make("a", make("a"))  # a is now the most recent
    memo.get_or_make("c", make("c"))  # over the limit: b goes
    memo.get_or_make("b", make("b"))
    assert made == ["a", "b", "c", "b"]
