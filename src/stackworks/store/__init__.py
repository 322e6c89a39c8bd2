"""Persistence: SQLAlchemy 2 tables, Alembic migrations, one module of functions per aggregate.

Each function takes a `Session` and speaks in domain entities; nothing outside this package
builds a query.
"""
