"""pytest plugin: ``pytest --aistats-base-url URL`` runs the conformance suite as tests,
and the ``aistats_mock`` fixture gives a test a live mock to point its app at.

Installed via the ``pytest11`` entry point, so it loads in every pytest run: it only
adds options and fixtures here and stays inert (imports nothing heavy, adds no tests,
starts nothing) unless used. With ``--aistats-base-url`` it adds one test per check (plus
one for the harness); the suite runs once, at the first of them, and each test fails with
the breaches of its check. A test that asks for ``aistats_mock`` gets a mock started once
per session (on a free loopback port, in a thread) and reset before the test
(:class:`mockserver.testing.MockHandle`: ``base_url``, ``api_key``, ``reply``,
``scenario``/``fail``, ``requests``, ``count``).
"""

from __future__ import annotations

import os

import pytest

_RESULT_KEY = "_aistats_conformance_result"


def pytest_addoption(parser) -> None:
    group = parser.getgroup("aistats-conformance", "AI Stats gateway conformance suite")
    group.addoption("--aistats-base-url", default=None, help="run the conformance suite against this gateway")
    group.addoption("--aistats-api-key", default=None, help="API key (default: $AISTATS_API_KEY)")
    group.addoption("--aistats-spec", default=None, help="contract name, file or URL")
    group.addoption("--aistats-max-examples", type=int, default=5)
    group.addoption("--aistats-seed", type=int, default=0)
    group.addoption("--aistats-workers", type=int, default=2)
    group.addoption("--aistats-checks", default="", help="comma-separated check names")
    group.addoption("--aistats-include", action="append", default=[], help="operation glob; repeatable")
    group.addoption("--aistats-exclude", action="append", default=[], help="operation glob; repeatable")
    group.addoption("--aistats-phases", default=None, help="comma-separated phases")
    group.addoption("--aistats-profile", default="default", choices=("default", "live"))
    group.addoption("--aistats-max-spend-usd", type=float, default=None)
    group.addoption("--aistats-allow-expensive", action="store_true", default=False)
    group.addoption("--aistats-only", action="store_true", default=False, help="deselect every other test")
    group.addoption(
        "--aistats-mock-replay",
        default=None,
        metavar="DIR",
        help="the aistats_mock fixture's mock answers from the cassettes in DIR (docs/recording.md)",
    )


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "aistats_mock(replay=DIR, miss='synthesize'|'error', pace='recorded'|'configured'): the test's "
        "aistats_mock answers from the cassettes in DIR (relative to the test file)",
    )


@pytest.fixture(scope="session")
def aistats_mock_server(pytestconfig):
    """The session's mock (started at the first test that asks for it); with
    ``--aistats-mock-replay DIR`` it answers from those cassettes."""
    from mockserver.testing import LiveMock, replay_settings

    replay = pytestconfig.getoption("aistats_mock_replay", default=None)
    settings = replay_settings({"replay": replay}, pytestconfig.invocation_params.dir) if replay else {}
    with LiveMock.start(**settings) as mock:
        yield mock


@pytest.fixture(scope="session")
def aistats_mock_pool():
    """Mocks the ``aistats_mock`` marker asks for, one per distinct setting, for the session."""
    from mockserver.testing import MockPool

    with MockPool() as pool:
        yield pool


@pytest.fixture
def aistats_mock(request):
    """A handle on the session's mock, reset for this test (journal, state, rules added, which
    recording was served); ``@pytest.mark.aistats_mock(replay=DIR)`` gives a mock answering
    from those cassettes instead."""
    from mockserver.testing import replay_settings

    marker = request.node.get_closest_marker("aistats_mock")
    if marker is None:
        server = request.getfixturevalue("aistats_mock_server")
    else:
        options = dict(marker.kwargs)
        if marker.args:
            options.setdefault("replay", marker.args[0])
        try:
            settings = replay_settings(options, request.path.parent)
        except ValueError as exc:
            pytest.fail(f"{request.node.nodeid}: {exc}", pytrace=False)
        server = request.getfixturevalue("aistats_mock_pool").get(**settings)
    yield server.for_test()


def _enabled(config) -> bool:
    return bool(config.getoption("aistats_base_url", default=None))


def pytest_collection_modifyitems(session, config, items) -> None:
    if not _enabled(config):
        return
    suite = ConformanceSuite.from_parent(session, name="aistats-conformance")
    added = list(suite.collect())
    if config.getoption("aistats_only"):
        config.hook.pytest_deselected(items=list(items))
        items[:] = added
    else:
        items.extend(added)


def _options(config):
    from conformance.options import PHASES, Options

    phases = config.getoption("aistats_phases")
    return Options(
        base_url=config.getoption("aistats_base_url"),
        api_key=config.getoption("aistats_api_key") or os.environ.get("AISTATS_API_KEY", ""),
        spec=config.getoption("aistats_spec"),
        max_examples=config.getoption("aistats_max_examples"),
        seed=config.getoption("aistats_seed"),
        workers=config.getoption("aistats_workers"),
        checks=tuple(c.strip() for c in config.getoption("aistats_checks").split(",") if c.strip()),
        include=tuple(config.getoption("aistats_include")),
        exclude=tuple(config.getoption("aistats_exclude")),
        phases=tuple(p.strip() for p in phases.split(",")) if phases else PHASES,
        profile=config.getoption("aistats_profile"),
        max_spend_usd=config.getoption("aistats_max_spend_usd"),
        allow_expensive=config.getoption("aistats_allow_expensive"),
    )


def _result(config):
    result = getattr(config, _RESULT_KEY, None)
    if result is None:
        from conformance.api import run

        result = run(_options(config))
        setattr(config, _RESULT_KEY, result)
    return result


class ConformanceSuite(pytest.Collector):
    def collect(self):
        from conformance.checks import ALL_CHECKS

        options = _options(self.config)
        names = (
            list(options.checks) if options.checks else [*ALL_CHECKS, "target_answers", "job_reaches_terminal_state"]
        )
        yield HarnessItem.from_parent(self, name="harness")
        for name in names:
            yield CheckItem.from_parent(self, name=name)


class ConformanceFailed(Exception):
    pass


class HarnessItem(pytest.Item):
    def runtest(self) -> None:
        result = _result(self.config)
        if result.harness_errors:
            raise ConformanceFailed("the harness could not run:\n" + "\n".join(result.harness_errors))

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value)

    def reportinfo(self):
        return "aistats-conformance", None, "harness"


class CheckItem(pytest.Item):
    def runtest(self) -> None:
        result = _result(self.config)
        if result.harness_errors:
            pytest.skip("the harness could not run")
        failures = [failure for failure in result.failures if failure.check == self.name]
        if failures:
            lines = []
            for failure in failures:
                lines += [
                    f"{failure.operation}: {failure.title}",
                    *failure.message.splitlines(),
                    *(f"  reproduce: {curl}" for curl in failure.curl),
                    "",
                ]
            raise ConformanceFailed("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ConformanceFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return "aistats-conformance", None, self.name
