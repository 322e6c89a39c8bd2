"""TLS for the three clients of the server (the CLI, agents, `agent register`) and the server.

Clients verify the server's certificate always: against the system's trust store by default, or
against a CA file (`--ca-file`, STACKWORKS_CA_FILE, an agent's `ca_file`) for a private CA or a
self-signed certificate. A CA file may hold the server's own certificate: partial chains are
accepted, so trusting the certificate itself works whether or not it is self-signed. A failed
verification is told apart from an unreachable server (`certificate_problem`), so the person
reading the error knows to pass a CA file rather than to look for a server that is down.
"""

from __future__ import annotations

import ssl
from pathlib import Path


class TlsSetupError(ValueError):
    """A certificate, key or CA file that cannot be used; the message names the file."""


def client_verify(ca_file: Path | None) -> ssl.SSLContext:
    """What a client verifies the server with: the system's CAs, or those in `ca_file`."""
    if ca_file is None:
        return ssl.create_default_context()
    try:
        context = ssl.create_default_context(cafile=str(ca_file))
    except FileNotFoundError:
        raise TlsSetupError(f"{ca_file}: the CA file does not exist") from None
    except (ssl.SSLError, OSError) as error:
        raise TlsSetupError(f"{ca_file}: not a readable PEM CA file ({error})") from None
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def check_server_files(cert_file: Path, key_file: Path) -> None:
    """Load the server's certificate and key once, so a wrong file fails the start naming it
    instead of every connection failing later."""
    for label, path in (("--tls-cert", cert_file), ("--tls-key", key_file)):
        if not path.is_file():
            raise TlsSetupError(f"{label}: {path} does not exist")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
            str(cert_file), str(key_file)
        )
    except (ssl.SSLError, OSError) as error:
        raise TlsSetupError(
            f"--tls-cert {cert_file} / --tls-key {key_file}: not a PEM certificate and its "
            f"private key ({error})"
        ) from None


def certificate_problem(error: BaseException) -> str | None:
    """Why the server's certificate was refused, when that is what `error` (or what caused it)
    comes down to; None for any other failure."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_message or str(current)
        if isinstance(current, ssl.SSLError):
            return current.reason or str(current)
        if "CERTIFICATE_VERIFY_FAILED" in str(current):
            return str(current)
        current = current.__cause__ or current.__context__
    return None
