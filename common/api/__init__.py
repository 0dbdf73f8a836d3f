"""The REST API's shared conventions: errors, fields, permissions, idempotency,
pagination, scoping, and the views of the shared models (holidays, events)."""
