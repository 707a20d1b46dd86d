"""Scenario and fault selection: which answer (or failure) a request gets, and how it is paced.

:func:`select` runs first in the dispatcher's flow. The plan it returns may replace the
answer with a failure, and may reshape the synthesized reply afterwards (latency, broken
streams). With no scenario asked for, the plan is empty and changes nothing.
"""

from mockserver.scenarios.plan import ScenarioPlan, select

__all__ = ["ScenarioPlan", "select"]
