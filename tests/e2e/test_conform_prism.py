"""conform against Stoplight Prism 5.16 serving our contract (bench/conform_prism.py): each
defect Prism is known to have is named by a gateway check.

Skips without node/npm or when Prism is not installed yet (``python -m bench.conform_prism``
installs it into bench/.prism once, with npm).
"""

from __future__ import annotations

import shutil

import pytest

from conformance import Options, run

servers = pytest.importorskip("bench.servers")

PRISM_DEFECTS = {
    "unknown_key_refused",  # any bearer token is served
    "malformed_json_refused_quickly",  # a truncated JSON body hangs
    "tenants_isolated",  # another team reads, changes and deletes the first team's resources
    "deleted_job_gone",  # a deleted job still answers
    "multipart_part_without_type_handled",  # a part without Content-Type crashes the process
}
OPERATIONS = (
    "getCredits",
    "listProviders",
    "createChatCompletion",
    "createVideo",
    "getVideo",
    "getVideoContent",
    "deleteVideo",
    "createProvisioningKey",
    "getProvisioningKey",
    "updateProvisioningKey",
    "deleteProvisioningKey",
    "createTranscription",
)


@pytest.fixture(scope="module")
def prism():
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm not found: Stoplight Prism cannot run")
    try:
        servers.prism_executable(install=False)
    except servers.ServerUnavailable:
        pytest.skip("Prism is not installed: run `python -m bench.conform_prism` once (npm installs it)")
    from mockserver.contract.loader import load_contract

    with servers.start_prism(load_contract(), log=lambda line: None) as server:
        yield server.origin + server.prefix


def test_each_known_prism_defect_is_named_by_a_gateway_check(prism):
    result = run(
        Options(
            base_url=prism,
            api_key="aistats_v1_sk_prismconform_s3cr3t",
            api_key_2="aistats_v1_sk_other.k1_s3cr3t",
            include=OPERATIONS,
            phases=("workflows",),
            request_timeout=5,
            job_timeout=3,
        )
    )
    assert set(result.failed_checks()) >= PRISM_DEFECTS, result.failed_checks()
    assert result.exit_code == 1
