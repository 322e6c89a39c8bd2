"""The `memcached` cookbook: a supervised memcached on the instance's private address.

Seed 001's RelStorage clients share object states through "a Memcached layer, with the default
settings"; the `plone_instances` cookbook finds every online instance of that layer and lists
it in its RelStorage `cache-servers`. `service` holds the one definition the recipes share.
"""
