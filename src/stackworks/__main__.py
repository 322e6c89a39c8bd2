"""Allow `python -m stackworks ...`, used to start agents detached from the server."""

from stackworks.cli.main import main

main()
