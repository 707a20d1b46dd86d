"""aistats-mock: a contract-first mock of the AI Stats Gateway API."""

__version__ = "0.1.0"
