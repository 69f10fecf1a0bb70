"""The force's areas over REST (`/api/v1/areas`): the names lists and queues filter by (`area=`)
and the postcode districts each covers, as the policy in force lists them."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from safetynet.api.schemas import answers
from safetynet.risk.areas import areas

router = Router(tags=["areas"])


class AreaOut(Schema):
    name: str
    districts: list[str]


@router.get("", response=answers(list[AreaOut], 401), url_name="areas")
def list_areas(request: HttpRequest) -> list[AreaOut]:
    """Every area of the force, in the policy's order: its name (the `area` filter's value) and
    the postcode districts it covers. A child is in an area when one of their linked records has
    a current home postcode there."""
    return [AreaOut(name=a.name, districts=list(a.districts)) for a in areas()]
