"""The whole period: every domain in a fixed order, so a seed always gives the same county."""

from __future__ import annotations

from safetynet.synth.events import (
    crime,
    custody,
    domestic_abuse,
    exploitation,
    incidents,
    mash,
    missing,
    networks,
    offenders,
    online,
)
from safetynet.synth.events.recorder import Recorder


class Simulation(Recorder):
    """Writes the county's events for a built `World` through `emit`."""

    def run(self) -> None:
        """Simulates every kind of event; the order is fixed (each domain draws from one random
        stream and reads what earlier domains recorded, e.g. referrals read police history)."""
        networks.build_networks(self)
        offenders.build_sex_offenders(self)
        domestic_abuse.domestic_abuse(self)
        incidents.child_incidents(self)
        missing.missing(self)
        crime.crimes(self)
        online.online_offences(self)
        custody.custody(self)
        custody.police_protection(self)
        exploitation.exploitation_records(self)
        mash.referrals(self)
        incidents.child_markers(self)
        exploitation.label_unscreened(self)
