"""Fault tests: PostgreSQL, Redis, SMTP and the REX endpoint going away and coming back (issue 7)."""
