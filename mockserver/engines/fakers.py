"""Seeded English Fakers, one per thread and purpose, made on first use.

Faker is imported here, inside :func:`english_faker`, and nowhere else at run time (other
modules name it for types only): importing ``faker`` scans every locale of every provider
(``faker.config``, ~40 ms) and building an ``en_US`` Faker loads its providers (~30 ms),
which a server that answers no generated prose or tool arguments never needs. Start-up to
the first answered request is an issue-14 target (≤ 1.0 s).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faker import Faker


class SeededFakers:
    """A per-thread ``en_US`` Faker, reseeded on each :meth:`get` (creating one costs milliseconds)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self, seed: int) -> Faker:
        faker = getattr(self._local, "faker", None)
        if faker is None:
            faker = self._local.faker = english_faker()
        faker.seed_instance(seed)
        return faker


def english_faker() -> Faker:
    """A new ``en_US`` Faker."""
    # Function-local for start-up cost only (see the module docstring); not a cycle.
    from faker import Faker

    return Faker("en_US")
