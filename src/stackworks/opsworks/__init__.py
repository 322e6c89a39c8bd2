"""The OpsWorks Stacks API (2013-02-18) on `stackworks server`: `POST /opsworks`.

A translation layer over the control plane, nothing more: it checks SigV4 signatures against
the access keys Stackworks issues (`store/access_keys.py`), validates parameters against the
service model (`model.py`), asks the same permission decisions as the REST API (`context.py`),
and maps OpsWorks shapes to the domain and back in one handler per operation
(`operations/*.py`, found through `registry.py`). docs/opsworks-api.md has the mapping.
"""

#: where `stackworks server` answers the OpsWorks API (boto3's `endpoint_url` is the server's
#: URL with this path)
ENDPOINT_PATH = "/opsworks"
