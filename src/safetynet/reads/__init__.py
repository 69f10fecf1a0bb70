"""Read models shared by the screens (`safetynet.web`) and the API (`safetynet.api`).

Nothing here changes data (beyond writing the access log of what was read). Every record is
fetched through `reads.access`, the one door: missing and forbidden look the same. The other
modules take ids the caller has already authorised and return plain dataclasses, so a page
or a response costs a fixed, small number of queries.
"""
