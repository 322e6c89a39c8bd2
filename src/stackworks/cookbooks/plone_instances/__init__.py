"""The `plone_instances` cookbook: Plone ZEO (or RelStorage) clients of a Plone 6 app built
with pip or with buildout.

Recipes in `recipes/` are thin. The pure decisions (how many clients and their ports, the ZEO
servers of the stack, zope.conf and zope.ini) live in `config`, the storage settings (zope.conf's
storage section, ZEO or RelStorage on PostgreSQL with memcached, and the checks the buildout
build's client parts share) in `storage`, the Celery broker in `broker`, the app's extra
supervised programs (`buildout_init_commands`, either build) in `init_commands`, and the
buildout build's choice and generated deploy.cfg in `buildout`; the declarations the recipes
share (releases, installs, clients, rolling restarts) in `declare`, the buildout build's in
`buildout_build`; `health` is also run as a program (`python -m`) between two client restarts;
`files/create_site.py` runs under `zconsole` (or a buildout's console part) to create the
Plone site once.
"""
