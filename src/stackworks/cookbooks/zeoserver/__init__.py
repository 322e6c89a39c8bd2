"""The `zeoserver` cookbook: a ZEO server (ZODB over the network) for Plone clients.

Recipes in `recipes/` are thin; the pure decisions (where the data lives, zeo.conf, which
instance packs, which repozo backups to prune) live in `config`, and the declarations the
recipes share in `declare`. `backups` is also run as a program (`python -m`) by the backup
recipe to prune old backups once repozo has written the new one.
"""
