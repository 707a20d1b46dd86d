"""What a run spent, measured from the key's wallet where it can read it, and the harness
condition of a key that ran out of credit mid-run (conformance/wallet.py, guards.py)."""

from __future__ import annotations

from typing import Any

from conformance.options import Options
from conformance.results import RunResult
from conformance.wallet import WalletMeter

OUT_OF_CREDIT = (
    "the key ran out of credit: the gateway answered 402 with the wallet below its minimum, so the rest of the "
    "run could not be judged (top the wallet up, or lower --max-examples / --max-spend-usd)"
)


def open_wallet(options: Options) -> tuple[WalletMeter, int | None]:
    """The wallet meter of the run's key and its first reading (None: the key cannot read it)."""
    headers = {**options.extra_headers}
    if options.api_key:
        headers["Authorization"] = f"Bearer {options.api_key}"
    meter = WalletMeter(options.base_url, headers, timeout=min(options.request_timeout, 10.0))
    return meter, meter.read()


def settle_spend(result: RunResult, guard: Any, meter: WalletMeter, start: int | None) -> None:
    """Set ``result.spent_usd`` (the wallet's loss where readable, else the reported pricing) and
    turn a run that ran out of credit into a harness condition instead of a flood of breaches."""
    reported = guard.spent_usd
    end = meter.settled(wait_s=3.0) if start is not None else None
    if start is not None and end is not None:
        lost = max(0, start - end) / 1e9
        # A wallet that moves less than the answers report is not to be trusted with the spend.
        result.spent_usd = max(lost, reported)
        result.notes.append(
            f"spend measured from the wallet (GET /credits): {lost:.9f} USD; the answers reported {reported:.9f} USD"
        )
    else:
        result.spent_usd = reported
        result.notes.append("spend is the sum of the reported pricing: the key cannot read its wallet")
    if guard.out_of_credit:
        result.harness_errors.append(OUT_OF_CREDIT)
        refused = [failure for failure in result.failures if failure.status == 402]
        result.failures = [failure for failure in result.failures if failure.status != 402]
        if refused:
            result.notes.append(f"{len(refused)} findings on 402 answers left out: the key had run out of credit")
