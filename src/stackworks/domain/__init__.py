"""The Stackworks domain: entities, states and the lifecycle table. Plain typed Python, no I/O.

Everything else (store, control, api, agent, cli) depends on this package; it depends on nothing.
"""
