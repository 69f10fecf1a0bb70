"""An id too large for the database answers 404, like any unknown id. And django-ninja names
each request and response schema in the OpenAPI document by its class name alone: two schema
classes of one name in different routers silently share one component, and the document then
describes one of them wrongly (clients and the schemathesis probe read it)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict
from collections.abc import Callable

import pytest
from django.test import Client
from ninja import Schema

import safetynet.api


def test_every_api_schema_class_has_its_own_name() -> None:
    where: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.iter_modules(safetynet.api.__path__, "safetynet.api."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Schema) and value.__module__ == module.__name__:
                where[name].add(module.__name__)
    shared = {name: sorted(modules) for name, modules in where.items() if len(modules) > 1}
    assert shared == {}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tasks/31065662221151891456",
        "/api/v1/meetings/31065662221151891456",
        "/api/v1/protection/custody/31065662221151891456",
        "/api/v1/individuals/9223372036854775808",
    ],
)
def test_an_id_larger_than_the_database_holds_is_not_found_not_a_server_error(
    client_for: Callable[[str], Client], path: str
) -> None:
    assert client_for("mash_officer").get(path).status_code == 404
