"""Operating the service: readiness (`/readyz`) and metrics (`/metrics`) for the force's IT team.

Sits beside `reads`: it reads the work queue, the heartbeat, the import batches and the access
log's length, and is read by `urls` and the CLI (docs/operations.md).
"""
