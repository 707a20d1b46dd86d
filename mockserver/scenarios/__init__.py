"""Scenario and fault selection: which answer (or failure) a request gets, and how it is paced.

Its :class:`~mockserver.scenarios.control.ScenarioControl` is the pipeline's first stage. The
plan it returns may replace the answer with a failure, and may reshape the synthesized reply
afterwards (latency, broken streams). With no scenario asked for, the plan is empty and changes nothing.
"""

from mockserver.scenarios.plan import ScenarioPlan

__all__ = ["ScenarioPlan"]
