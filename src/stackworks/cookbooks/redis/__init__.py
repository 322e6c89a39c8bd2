"""The `redis` cookbook: a supervised redis-server on the instance's private address.

Seed 001's Redis layer is the Celery broker of the Plone instances (`plone_instances.
broker_layer`, default `redis`). `config` renders redis.conf and decides where the data lives
(the layer's volume when the instance has one); `declare` holds what the recipes share.
"""
