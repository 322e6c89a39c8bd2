"""The `haproxy` cookbook (the `lb` layer type): HAProxy in front of the app servers.

`config` renders haproxy.cfg from the stack as a pure function; the recipes write it (checked
by `haproxy -c` first) and run HAProxy in master-worker mode under the service manager, reloading
with USR2 so old workers finish the connections they hold.
"""
