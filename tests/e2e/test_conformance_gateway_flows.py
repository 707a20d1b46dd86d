"""Round trips and tenant isolation (conformance/round_trip_flow.py, tenant_flow.py): each
check fails on a gateway broken in exactly that way and passes on the mock."""

from __future__ import annotations

from conformance import Options, run
from tests.support import KEY, mock_app, serve
from tests.support.request_breakers import Impersonate, Refuse, echoes_assistant

OTHER = "aistats_v1_sk_other.k1_secret"
TEXT = ("createChatCompletion", "createResponse", "createAnthropicMessage")
TENANCY = (
    "createProvisioningKey",
    "getProvisioningKey",
    "listProvisioningKeys",
    "updateProvisioningKey",
    "deleteProvisioningKey",
    "createVideo",
    "getVideo",
    "getVideoContent",
    "deleteVideo",
    "createChatCompletion",
    "getGeneration",
    "getActivity",
)


def flows(base_url: str, checks: tuple[str, ...], include: tuple[str, ...], **extra):
    options = Options(base_url=base_url, api_key=KEY, checks=checks, include=include, phases=("workflows",), **extra)
    return run(options)


def test_the_mock_accepts_its_answers_back_and_clients_echo_is_a_finding_not_a_breach():
    with serve(mock_app()) as url:
        result = flows(url, ("answer_accepted_back", "client_echo_accepted"), TEXT)
    assert result.exit_code == 0, result.failures
    assert result.check_totals()["answer_accepted_back"].passed >= 12
    # The contract forbids `content: null` beside tool_calls; the openai client sends it all the same.
    titles = {finding.title for finding in result.findings}
    assert any("tool call" in title for title in titles), titles
    assert all(finding.check == "client_echo_accepted" for finding in result.findings)


def test_a_gateway_refusing_its_own_answer_fails_answer_accepted_back():
    with serve(Refuse(mock_app(), echoes_assistant)) as url:
        result = flows(url, ("answer_accepted_back",), TEXT)
    assert result.exit_code == 1
    assert result.failed_checks() == ["answer_accepted_back"]
    operations = {failure.operation for failure in result.failures}
    assert operations == {"POST /chat/completions", "POST /responses", "POST /messages"}
    assert all("[REDACTED]" in failure.curl[-1] and KEY not in failure.curl[-1] for failure in result.failures)


def test_the_mock_keeps_teams_apart():
    with serve(mock_app()) as url:
        result = flows(url, ("tenants_isolated",), TENANCY, api_key_2=OTHER)
    assert result.exit_code == 0, result.failures
    assert result.check_totals()["tenants_isolated"].passed >= 10


def test_without_a_second_key_tenant_isolation_is_a_note():
    with serve(mock_app()) as url:
        result = flows(url, ("tenants_isolated",), TENANCY)
    assert result.exit_code == 0
    assert any("--api-key-2" in note for note in result.notes)


def test_a_gateway_that_looks_jobs_up_without_the_team_fails_tenants_isolated():
    def jobs(scope):
        return scope["path"].startswith("/v1/videos/")

    with serve(Impersonate(mock_app(), OTHER, KEY, jobs)) as url:
        result = flows(url, ("tenants_isolated",), TENANCY, api_key_2=OTHER)
    assert result.failed_checks() == ["tenants_isolated"]
    titles = {failure.title for failure in result.failures}
    assert "Another team's video job is readable" in titles
    assert "Another team's video job can be deleted" in titles
    assert OTHER not in str(result.to_dict())


def test_a_gateway_that_lets_another_team_change_keys_fails_tenants_isolated():
    def keys(scope):
        return scope["path"].startswith("/v1/management/keys/") and scope["method"] == "PATCH"

    with serve(Impersonate(mock_app(), OTHER, KEY, keys)) as url:
        result = flows(url, ("tenants_isolated",), TENANCY, api_key_2=OTHER)
    titles = {failure.title for failure in result.failures}
    assert titles == {"Another team's management key can be changed", "Another team changed a management key"}
