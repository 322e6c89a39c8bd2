"""The REST API (FastAPI) under /api/v1: user routes (people, the CLI) and agent routes."""
