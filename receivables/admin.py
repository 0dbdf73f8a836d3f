"""Receivables and balance confirmations in the admin."""
