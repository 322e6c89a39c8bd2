"""The errors the OpsWorks endpoint answers, in AWS JSON 1.1's shape.

Every one is `{"__type": NAME, "message": TEXT}` with an HTTP status; the service model gives
400 for ValidationException and ResourceNotFoundException, and AWS answers its authentication
errors with 400 too (403 only for a missing signature, as AWS does), so botocore raises the
same `ClientError` codes it raised against AWS.

OpsWorksError
 ├── ValidationException            (400) a parameter missing, of the wrong type, or refused
 ├── ResourceNotFoundException      (400) an unknown (or hidden) stack, layer, instance ...
 ├── AccessDeniedException          (400) a known caller below the level the operation needs
 ├── UnrecognizedClientException    (400) an unknown or inactive access key
 ├── InvalidSignatureException      (400) a wrong signature, or one signed too long ago
 ├── MissingAuthenticationTokenException (403) no signature at all
 ├── IncompleteSignatureException   (400) an Authorization header that is not SigV4's
 ├── SerializationException         (400) a body that is not a JSON object
 ├── UnknownOperationException      (400) an X-Amz-Target the model does not have
 ├── ThrottlingException            (400) too many failed authentications from the address
 ├── RequestEntityTooLargeException (413) a body over the server's limit
 └── ServiceUnavailable             (503) the database rolled the call back for a concurrent
                                          one (store/contention.py); botocore retries it
"""

from __future__ import annotations

from typing import Any

from stackworks.domain.errors import DomainError, Forbidden, NotFound, Unauthenticated


class OpsWorksError(Exception):
    """An answer other than success: its `__type`, message and HTTP status."""

    type = "InternalFailure"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"__type": self.type, "message": self.message}


class ValidationException(OpsWorksError):
    """A parameter missing, of the wrong type, or a request the current state refuses."""

    type = "ValidationException"


class ResourceNotFoundException(OpsWorksError):
    """An unknown stack, layer, instance ..., or one the caller may not see."""

    type = "ResourceNotFoundException"


class AccessDeniedException(OpsWorksError):
    """A known caller below the permission level the operation needs."""

    type = "AccessDeniedException"


class UnrecognizedClientException(OpsWorksError):
    """An unknown or inactive access key."""

    type = "UnrecognizedClientException"


class InvalidSignatureException(OpsWorksError):
    """A signature that does not match, or one made too long ago."""

    type = "InvalidSignatureException"


class MissingAuthenticationTokenException(OpsWorksError):
    """A request with no signature at all."""

    type = "MissingAuthenticationTokenException"
    status = 403


class IncompleteSignatureException(OpsWorksError):
    """An Authorization header that is not a whole SigV4 one."""

    type = "IncompleteSignatureException"


class SerializationException(OpsWorksError):
    """A body that is not a JSON object."""

    type = "SerializationException"


class UnknownOperationException(OpsWorksError):
    """An X-Amz-Target the service model does not have."""

    type = "UnknownOperationException"


class ThrottlingException(OpsWorksError):
    """Too many failed authentications from the caller's address (api/auth_throttle.py)."""

    type = "ThrottlingException"


class RequestEntityTooLargeException(OpsWorksError):
    """A body over the server's limit."""

    type = "RequestEntityTooLargeException"
    status = 413


class ServiceUnavailable(OpsWorksError):
    """The database rolled the call's transaction back to let a concurrent one finish."""

    type = "ServiceUnavailable"
    status = 503


def from_domain(error: DomainError) -> OpsWorksError:
    """A control-plane refusal as OpsWorks would have answered it: an unknown thing is
    ResourceNotFound, a refused caller AccessDenied, anything else (a bad value, a state that
    forbids the action) a ValidationException, as OpsWorks itself answers those."""
    if isinstance(error, NotFound):
        return ResourceNotFoundException(error.message)
    if isinstance(error, Forbidden | Unauthenticated):
        return AccessDeniedException(error.message)
    return ValidationException(error.message)
