"""The `python_app` cookbook: deploys Python web apps as releases and runs their processes.

Recipes in `recipes/` are thin; the pure decisions (Procfile, process count, ports, release
names, environment) live in `workload`, reading the instance's disk in `releases`, reading the
app's repository in `source`, and the resource declarations shared by recipes in `declare`.
"""
