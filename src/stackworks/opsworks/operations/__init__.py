"""One module per area of the OpsWorks API; each registers its handlers with
`registry.operation` when `registry.load_handlers` imports it."""
