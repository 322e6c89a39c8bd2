"""Permission levels and route decisions: pure, so every case is a table row."""

from __future__ import annotations

import pytest

from stackworks.domain.access import (
    Audience,
    Level,
    Principal,
    Refusal,
    Role,
    RouteAccess,
    decide_admin,
    decide_stack,
)

ANN = Principal(user_id="u1", name="ann")
ORDER = [Level.DENY, Level.SHOW, Level.DEPLOY, Level.MANAGE]


@pytest.mark.parametrize("held", ORDER)
@pytest.mark.parametrize("needed", ORDER[1:])
def test_a_level_includes_exactly_the_levels_below_it(held: Level, needed: Level) -> None:
    assert held.includes(needed) is (ORDER.index(held) >= ORDER.index(needed))


@pytest.mark.parametrize(
    ("principal", "explicit", "effective"),
    [
        (ANN, None, Level.DENY),
        (ANN, Level.SHOW, Level.SHOW),
        (Principal("u2", "ci", default_level=Level.DEPLOY), None, Level.DEPLOY),
        (Principal("u2", "ci", default_level=Level.DEPLOY), Level.DENY, Level.DENY),
        (Principal("u2", "ci", default_level=Level.DEPLOY), Level.MANAGE, Level.MANAGE),
        (Principal("u3", "root", is_admin=True), Level.DENY, Level.MANAGE),
    ],
)
def test_the_effective_level_is_the_explicit_one_else_the_default_and_admins_manage(
    principal: Principal, explicit: Level | None, effective: Level
) -> None:
    assert principal.level_on(explicit) is effective


@pytest.mark.parametrize(
    ("held", "needed", "refusal"),
    [
        (Level.DENY, Level.SHOW, Refusal.HIDDEN),
        (Level.DENY, Level.MANAGE, Refusal.HIDDEN),
        (Level.SHOW, Level.SHOW, None),
        (Level.SHOW, Level.DEPLOY, Refusal.FORBIDDEN),
        (Level.DEPLOY, Level.DEPLOY, None),
        (Level.DEPLOY, Level.MANAGE, Refusal.FORBIDDEN),
        (Level.MANAGE, Level.MANAGE, None),
    ],
)
def test_below_show_a_stack_is_hidden_and_below_the_need_it_is_forbidden(
    held: Level, needed: Level, refusal: Refusal | None
) -> None:
    decision = decide_stack(RouteAccess(Audience.STACK, needed), ANN, "shop", held)
    assert decision.refusal is refusal
    assert decision.allowed is (refusal is None)


def test_a_forbidden_answer_names_the_level_needed_and_the_level_held() -> None:
    decision = decide_stack(RouteAccess(Audience.STACK, Level.MANAGE), ANN, "shop", Level.SHOW)
    assert decision.message == "this needs manage on stack 'shop'; user 'ann' has show"


def test_a_hidden_answer_reads_like_an_unknown_stack() -> None:
    decision = decide_stack(RouteAccess(Audience.STACK, Level.SHOW), ANN, "shop", Level.DENY)
    assert decision.message == "stack 'shop' not found"


def test_only_admins_pass_admin_routes_and_the_refusal_says_what_the_caller_is() -> None:
    assert decide_admin(Principal("u", "root", is_admin=True)).allowed
    refused = decide_admin(Principal("u", "ci", default_level=Level.DEPLOY))
    assert refused.refusal is Refusal.FORBIDDEN
    assert refused.message == "this needs a server admin; user 'ci' is not one (role deploy)"


def test_the_old_roles_describe_users() -> None:
    assert Principal("u", "a", is_admin=True).role is Role.ADMIN
    assert Principal("u", "c", default_level=Level.DEPLOY).role is Role.DEPLOY
    assert Principal("u", "v", default_level=Level.SHOW).role is Role.USER
