"""Obligations in the admin."""

from obligations import breach_admin  # noqa: E402, F401  (registers the breach notices)
