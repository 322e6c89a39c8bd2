"""The `nginx` cookbook (part of the `plone-frontend` layer type): the public side of the front
end, rewriting every request to the Plone site's virtual-host URL and passing it to Varnish.

`config` renders nginx.conf from the stack as a pure function; the recipes check it with
`nginx -t` before it replaces the old one and run nginx in the foreground under the service
manager, reloading it with HUP. Every runtime file (pid, logs, temp paths) is under the
instance's roots.
"""
