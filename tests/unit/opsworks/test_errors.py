"""The error answers' shape, and the domain's refusals as OpsWorks' errors."""

from __future__ import annotations

import pytest

from stackworks.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from stackworks.opsworks import errors


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.ValidationException("m"), 400),
        (errors.ResourceNotFoundException("m"), 400),
        (errors.AccessDeniedException("m"), 400),
        (errors.UnrecognizedClientException("m"), 400),
        (errors.InvalidSignatureException("m"), 400),
        (errors.UnknownOperationException("m"), 400),
        (errors.SerializationException("m"), 400),
        (errors.MissingAuthenticationTokenException("m"), 403),
    ],
)
def test_every_error_has_the_aws_json_shape_and_its_status(
    error: errors.OpsWorksError, status: int
) -> None:
    assert error.body() == {"__type": type(error).__name__, "message": "m"}
    assert error.status == status


@pytest.mark.parametrize(
    ("domain", "kind"),
    [
        (NotFound("stack", "x"), errors.ResourceNotFoundException),
        (Forbidden("no"), errors.AccessDeniedException),
        (Conflict("busy"), errors.ValidationException),
        (InvalidInput("bad", field="name"), errors.ValidationException),
    ],
)
def test_a_domain_refusal_becomes_the_error_opsworks_answered(
    domain: DomainError, kind: type[errors.OpsWorksError]
) -> None:
    mapped = errors.from_domain(domain)
    assert type(mapped) is kind
    assert mapped.message == domain.message
