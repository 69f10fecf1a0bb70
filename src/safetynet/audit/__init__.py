"""The access log required by DPA 2018 s62: append-only, hash-chained, written in the same
transaction as the action it records (`safetynet.audit.services.record_audit`)."""
