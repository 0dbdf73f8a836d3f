"""Bank transactions in the admin."""
