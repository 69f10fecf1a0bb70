"""Transfers: the MASH's decision "forward to the allocated worker or early help" hands the
referral to the receiving team (children's social care: the allocated social worker or early
help), which accepts it or returns it with a reason, like Primero's transfers.

The transfer is part of the referral (`details.transfer`: `to`, `state` pending, accepted or
returned, `sent_at`, `sent_by`, `answered_at`, `answered_by`, `reason`), each step a new version
through the capture service. While it is pending or accepted the receiving team sees the
referral and its child (the access rule `reads.access.transferred_children`). A returned transfer
goes back to the MASH inbox awaiting a new decision: the decision is cleared, the returned
transfer kept in `details.transfers_returned`, and the referring officer's feedback stays as
sent until the next decision tells them again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safetynet.access.profiles import has_permission
from safetynet.lib.clock import Clock, system_clock
from safetynet.mash.services import (
    FORWARD_TO,
    NotYourReferral,
    ReferralRefused,
    _record_of,
    _store,
    checked_rationale,
    referral_of,
)
from safetynet.meetings.services import actor
from safetynet.records.models import Event

PENDING, ACCEPTED, RETURNED = "pending", "accepted", "returned"
RECEIVING = "receive_transfers"  # the permission of the receiving team (children's social care)


def new_transfer(forward_to: str, by: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The transfer a forward decision starts."""
    return {"to": forward_to, "state": PENDING, "sent_at": now.isoformat(), "sent_by": by}


def transfer_of(referral: Event) -> dict[str, Any]:
    found = (referral.details or {}).get("transfer")
    return found if isinstance(found, dict) else {}


def _pending(referral_id: int, acting_user: Any) -> tuple[Event, dict[str, Any]]:
    if acting_user is not None and not has_permission(acting_user, RECEIVING):
        raise NotYourReferral(f"expected a role with the {RECEIVING} permission to answer a transfer")
    referral = referral_of(referral_id)
    transfer = transfer_of(referral)
    if transfer.get("to") not in FORWARD_TO:
        raise ReferralRefused("referral", "expected a referral forwarded by the MASH")
    if transfer.get("state") != PENDING:
        raise ReferralRefused(
            "referral", f"expected a transfer awaiting an answer: this one is {transfer.get('state')}"
        )
    return referral, transfer


def accept(referral_id: int, *, acting_user: Any, clock: Clock = system_clock) -> Event:
    """The receiving team accepts the transfer; the referral as stored."""
    referral, _ = _pending(referral_id, acting_user)
    record = _record_of(referral, clock)
    by = actor(acting_user) if acting_user is not None else {"name": "safetynet"}
    record["details"]["transfer"].update(state=ACCEPTED, answered_at=clock.now().isoformat(), answered_by=by)
    return _store(record, acting_user=acting_user, clock=clock, reason="transfer accepted")


def return_transfer(referral_id: int, reason: str, *, acting_user: Any, clock: Clock = system_clock) -> Event:
    """The receiving team returns the transfer with a reason (20+ characters the language check
    accepts); the referral goes back to the MASH inbox awaiting a new decision."""
    why = checked_rationale("reason", reason, "why the transfer is returned to the MASH")
    referral, _ = _pending(referral_id, acting_user)
    record = _record_of(referral, clock)
    details = record["details"]
    by = actor(acting_user) if acting_user is not None else {"name": "safetynet"}
    returned = {**details.pop("transfer"), "state": RETURNED, "answered_at": clock.now().isoformat()}
    returned.update(answered_by=by, reason=why)
    details["transfers_returned"] = [*(details.get("transfers_returned") or []), returned]
    for key in ("decision", "decided_at", "decided_by", "decision_rationale", "forwarded_to"):
        details["triage"].pop(key, None)
    return _store(record, acting_user=acting_user, clock=clock, reason="transfer returned to the MASH")
