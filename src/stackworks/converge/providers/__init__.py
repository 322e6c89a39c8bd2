"""How resources act on this machine: a resource says what, a provider says how.

Package providers (apt, pip) share one small interface (`PackageProvider`); service providers
(supervisor, systemd) share the start/stop/restart decision in `service_decision`.
"""
