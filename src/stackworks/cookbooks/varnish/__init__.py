"""The `varnish` cookbook (part of the `plone-frontend` layer type): Varnish between nginx and
HAProxy on one instance.

`vcl` renders the VCL from the stack as a pure function; the recipes check it with
`varnishd -C` before it replaces the old one, run varnishd in the foreground under the service
manager and load a changed VCL into the running varnishd (`vcl.load` + `vcl.use`), so the cache
survives a configure. `admin` talks to varnishd's CLI through varnishadm, argv only.
"""
