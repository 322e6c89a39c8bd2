"""Tags: OpsWorks tags stacks and layers, by ARN, with AWS's limits on keys and values.
ListTags pages with MaxResults and NextToken (the key to start after)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from stackworks.domain.errors import InvalidInput

MAX_TAGS = 40  # per resource, as OpsWorks
MAX_KEY = 127
MAX_VALUE = 256
_ARN = re.compile(
    r"^arn:[a-z-]+:opsworks:[^:]*:[^:]*:(?P<kind>stack|layer)/(?P<id>[0-9a-fA-F-]{36})/?$"
)


@dataclass(frozen=True)
class TaggedResource:
    kind: Literal["stack", "layer"]
    id: str


def resource_of(arn: str, field: str = "ResourceArn") -> TaggedResource:
    """The stack or layer a ResourceArn names; only those two take tags."""
    match = _ARN.match(arn or "")
    if match is None:
        raise InvalidInput(
            f"{field}: {arn!r} is not a stack's or a layer's ARN (the Arn DescribeStacks or "
            "DescribeLayers returns); only stacks and layers take tags",
            field=field,
        )
    kind: Literal["stack", "layer"] = "stack" if match.group("kind") == "stack" else "layer"
    return TaggedResource(kind, match.group("id").lower())


def tags_in(tags: Mapping[str, str], already: Mapping[str, str]) -> dict[str, str]:
    """TagResource's tags, checked; `already`: what the resource has (the limit counts both)."""
    for key, value in tags.items():
        if not 1 <= len(key) <= MAX_KEY or key.lower().startswith("aws:"):
            raise InvalidInput(
                f"Tags: key {key!r} must be 1-{MAX_KEY} characters and not start with aws:",
                field="Tags",
            )
        if len(value) > MAX_VALUE:
            raise InvalidInput(
                f"Tags: the value of {key!r} is longer than {MAX_VALUE} characters", field="Tags"
            )
    if len(set(already) | set(tags)) > MAX_TAGS:
        raise InvalidInput(f"Tags: a resource has at most {MAX_TAGS} tags", field="Tags")
    return dict(tags)


def page(
    tags: Mapping[str, str], max_results: int | None, next_token: str | None
) -> dict[str, Any]:
    """One page of ListTags: keys in order after `next_token`, at most `max_results`."""
    keys: Sequence[str] = sorted(tags)
    if next_token:
        if next_token not in tags:
            raise InvalidInput(
                "NextToken: not a token ListTags gave for this resource (or the tag it "
                "names was removed since)",
                field="NextToken",
            )
        keys = keys[keys.index(next_token) + 1 :]
    limit = max_results if max_results and max_results > 0 else len(keys)
    shown = keys[:limit]
    answer: dict[str, Any] = {"Tags": {key: tags[key] for key in shown}}
    if len(keys) > limit:
        answer["NextToken"] = shown[-1]
    return answer
