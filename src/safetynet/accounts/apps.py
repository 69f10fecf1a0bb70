"""Accounts: users, their roles, teams, caseloads and restrictions, as administrators manage them."""

from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safetynet.accounts"
    label = "accounts"
    verbose_name = "Accounts (users, roles, teams, caseloads, restrictions)"
