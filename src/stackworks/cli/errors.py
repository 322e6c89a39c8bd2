"""The CLI's own failures and their exit codes, reported as one `error: ...` line on stderr.

    CliError            exit 1: the server refused the request (4xx, 5xx), a wait ended badly
    └── UsageError      exit 2: bad input on the command line or in a file; nothing was sent
        └── NotLoggedIn exit 2: no server URL or token; says how to log in
    ApiError            exit 1 (client.py): the API answered with an error
    ConnectionFailed    exit 2 (client.py): no server answered at the URL
    CertificateRefused  exit 2 (client.py): the server's TLS certificate did not verify

The root group (`StackworksGroup.invoke` in main.py) turns any of them into that line and exit
code around every command, so no command prints a traceback.
"""

from __future__ import annotations

EXIT_FAILED = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A failure the user should read about; `exit_code` is what the process ends with."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CliError):
    """The command line or an input file is wrong; nothing was sent to the server."""

    exit_code = EXIT_USAGE


class NotLoggedIn(UsageError):
    def __init__(self) -> None:
        super().__init__(
            "no Stackworks server configured: run "
            "`stackworks login --url URL --token TOKEN`, "
            "or set STACKWORKS_URL and STACKWORKS_TOKEN"
        )
