"""Least privilege across agencies: agencies, teams, roles, the permission matrix and who a
user is to it (`profiles`).

Depends on nothing of ours but `safetynet.lib`. Record-level scoping and field-level
restriction (which children, which records, which parts) live with the read models, in
`safetynet.reads.access`, the one door every screen and endpoint fetches through.
"""
