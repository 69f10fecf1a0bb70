"""Answers the API gives to errors no route handles itself."""

from __future__ import annotations

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from psycopg.errors import NumericValueOutOfRange


def register_error_answers(api: NinjaAPI) -> None:
    """An id in the path larger than any the database can hold (SQLite raises OverflowError,
    PostgreSQL an out-of-range DataError on a bigint) names no record: 404 like any other unknown
    id. Any other data error is a fault and stays one."""

    @api.exception_handler(OverflowError)
    def _id_out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        return api.create_response(request, {"detail": "Not Found"}, status=404)

    @api.exception_handler(DataError)
    def _value_out_of_range(request: HttpRequest, exc: DataError) -> HttpResponse:
        if not isinstance(exc.__cause__, NumericValueOutOfRange):
            raise exc
        return api.create_response(request, {"detail": "Not Found"}, status=404)
