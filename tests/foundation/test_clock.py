"""The clock in force: one way to read the time, honoured by services, screens and row stamps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from safetynet.identity.models import Individual
from safetynet.lib.clock import FixedClock, system_clock
from safetynet.records.models import Person

AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def test_system_clock_reads_the_pinned_settings_clock() -> None:
    with override_settings(SAFETYNET_CLOCK=FixedClock(AT)):
        assert system_clock.now() == AT
    assert system_clock.now() != AT


def test_system_clock_without_a_pin_is_the_wall_clock() -> None:
    before = dt.datetime.now(dt.UTC)
    assert before <= system_clock.now() <= dt.datetime.now(dt.UTC)


@pytest.mark.django_db
def test_row_stamps_read_the_clock_in_force() -> None:
    clock = FixedClock(AT)
    with override_settings(SAFETYNET_CLOCK=clock):
        individual = Individual.objects.create()
        assert (individual.created_at, individual.updated_at) == (AT, AT)
        clock.advance(hours=2)
        individual.save()
        person = Person.objects.create(source="rms", source_id="P1")
    individual.refresh_from_db()
    assert individual.created_at == AT  # auto_now_add: stamped once
    assert individual.updated_at == AT + dt.timedelta(hours=2)  # auto_now: every save
    assert person.stored_at == person.changed_at == AT + dt.timedelta(hours=2)
