"""Pure translations between OpsWorks' request and answer shapes and Stackworks' own.

One module per area (apps, deployments, users, scaling, resources, tags). Each function takes
a request dict as boto3 sends it (already checked against the model by the wire layer) and
returns the REST API's request model, or takes domain entities and returns the answer dict;
nothing here touches a session. Lookups a translation needs (an ID to a hostname, an ARN to
a registered database) come in as arguments, so the handlers stay thin and these stay testable.
"""
