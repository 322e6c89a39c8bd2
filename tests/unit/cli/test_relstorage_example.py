"""examples/plone/scalable-relstorage.yaml is a stack document `stackworks apply` accepts:
its layer types exist, its app reads the registered database it declares, and its ports do
not collide on one address."""

from __future__ import annotations

from stackworks.cli import demo_plone
from stackworks.cli.documents import load_document
from stackworks.domain.status import LayerType


def test_the_relstorage_variant_loads_with_memcached_and_redis_layers() -> None:
    document = load_document(demo_plone.EXAMPLES / "scalable-relstorage.yaml")
    assert {LayerType(layer.type) for layer in document.layers} >= {
        LayerType.MEMCACHED,
        LayerType.REDIS,
        LayerType.PLONE_INSTANCES,
    }
    [app] = document.apps
    assert [d.name for d in app.data_sources] == [db.name for db in document.databases]
    attributes = document.custom_json
    assert attributes["plone_instances"]["enable_relstorage"] is True
    plone = attributes["plone_instances"]
    ports = [
        attributes["nginx"]["port"],
        attributes["varnish"]["port"],
        attributes["varnish"]["admin_port"],
        attributes["haproxy"]["port"],
        attributes["memcached"]["port"],
        attributes["redis"]["port"],
        *[plone["base_port"] + k for k in range(1, plone["instance_count"] + 1)],
    ]
    assert len(set(ports)) == len(ports)
