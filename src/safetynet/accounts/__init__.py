"""Accounts: creating agencies, teams and users with roles, caseloads and restrictions (each
audited in its own transaction), and the demo logins of `safetynet demo`.

It sits beside `risk` (it may use records, identity, access and audit), so `access` itself
depends on nothing of ours but `safetynet.lib`.
"""
