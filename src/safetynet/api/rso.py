"""The flag an API answer carries when a record's address is a registered sex offender's
current home (docs/exploitation.md): an incident, a missing report or a referral."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from safetynet.lib.clock import system_clock
from safetynet.reads.exploitation import rso_warning


class RsoAddressOut(Schema):
    """The individuals registered there, named where the caller may open them ("A person you
    do not have access to" otherwise), and the warning in words."""

    warning: str
    individuals: list[int]
    names: list[str]


def rso_address_out(user: Any, event: Any) -> RsoAddressOut | None:
    """The flag for `event` (None when its address is no registered sex offender's home); the
    look-up is written to the access log as a view."""
    warning = rso_warning(user, event, system_clock.now().date())
    if warning is None:
        return None
    return RsoAddressOut(warning=warning.text, individuals=warning.individuals, names=warning.names)
