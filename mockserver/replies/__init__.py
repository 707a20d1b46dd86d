"""Scripted replies: rules that say what the mock answers to which request (issue 15).

``facts`` reads what a rule can match on from a request, ``rules`` parses and matches
rules (pure: no web framework, no server state), ``book`` holds the rules in force with
their match counts, and ``selector`` is the pipeline stage that turns the chosen answer
into a plan: a :class:`~mockserver.engines.script.Script` that synthesis answers from,
or an error scenario. docs/scenarios.md describes the reply file.
"""
