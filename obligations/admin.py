"""Obligations in the admin."""
