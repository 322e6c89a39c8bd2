"""The wire contract: the request and answer shapes the API, control plane, agent and CLI share.

It sits above the domain and below everything that talks over HTTP, so nothing below `api/`
imports `api/`: `schemas` are the pydantic models on the wire, `presenters` turn domain entities
into them (secure values leave only as FILTERED).
"""
