"""The `plone_instances` cookbook: Plone ZEO clients of a pip-built Plone 6 app.

Recipes in `recipes/` are thin. The pure decisions (how many clients and their ports, the ZEO
servers of the stack, zope.conf and zope.ini) live in `config`, the storage section of
zope.conf (ZEO or RelStorage on PostgreSQL, with memcached) in `storage`, the Celery broker in
`broker` and the app's extra supervised programs (`buildout_init_commands`) in
`init_commands`; the declarations the recipes
share (releases, installs, clients, rolling restarts) in `declare`; `health` is also run as a
program (`python -m`) between two client restarts; `files/create_site.py` runs under
`zconsole` to create the Plone site once.
"""
