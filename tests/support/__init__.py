"""What every test of the suite shares: keys, the contract checker, clients and live servers.

    from tests.support import AUTH, ContractClient, contract_checker, live_server

- ``contract_checker(name)`` — the one check of an answer against a contract
  (``"2026-03"``, ``"2025-12"`` or ``"admin"``); ``assert_conforms`` is its assertion.
- ``make_client`` / ``ContractClient`` — the mock in-process (Starlette's TestClient);
  ``ContractClient`` checks every answer against the contract it serves.
- ``live_server`` / ``serve_app`` (a uvicorn thread) and ``mock_process`` (``aistats-mock serve``
  as a subprocess) — the ways a test gets a real socket.
"""

from tests.support.clients import ContractClient, FakeClock, make_client
from tests.support.constants import AUTH, FRAMEWORKS, KEY, REFERENCE, UNPACED, reference_file
from tests.support.contract import ContractChecker, assert_conforms, contract_checker
from tests.support.response_checker import Exchange, ResponseChecker, parse_sse
from tests.support.servers import FAST, live_server, mock_app, mock_process, mock_process_handle, serve, serve_app

__all__ = [
    "AUTH",
    "FAST",
    "FRAMEWORKS",
    "KEY",
    "REFERENCE",
    "UNPACED",
    "ContractChecker",
    "ContractClient",
    "Exchange",
    "FakeClock",
    "ResponseChecker",
    "assert_conforms",
    "contract_checker",
    "live_server",
    "make_client",
    "mock_app",
    "mock_process",
    "mock_process_handle",
    "parse_sse",
    "reference_file",
    "serve",
    "serve_app",
]
