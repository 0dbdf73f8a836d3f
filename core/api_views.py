"""REST API for the calendar overrides and the audit trail."""

ROUTES: list = []  # (prefix, viewset, basename)
