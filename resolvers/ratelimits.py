"""Budgets for public routes: at most N uses per window per subject (a client address, an e-mail),
counted by ``crmgraph.ratelimit`` (Redis, or in process while Redis is down)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from crmgraph import ratelimit
from crmgraph.context import RequestContext
from crmgraph.errors import TooManyRequests


@dataclass(frozen=True)
class Budget:
    name: str
    limit: int
    window: int  # seconds


def _key(budget: Budget, subject: str) -> str:
    return f"{budget.name}:{subject}"


async def spend(ctx: RequestContext, budget: Budget, subject: str | None = None) -> bool:
    """Count one use for ``subject`` (default: the client address); False once the budget is spent."""
    key = _key(budget, subject or ctx.client_ip)
    used = await ratelimit.count(ctx.redis, ctx.settings.queue_name, key, budget.window)
    return used <= budget.limit


async def exhausted(ctx: RequestContext, budget: Budget, subject: str | None = None) -> bool:
    """Whether the budget is already spent, without using it (for budgets of failures only)."""
    key = _key(budget, subject or ctx.client_ip)
    used = await ratelimit.count(ctx.redis, ctx.settings.queue_name, key, budget.window, increment=0)
    return used >= budget.limit


async def require(ctx: RequestContext, budget: Budget, subject: str | None = None) -> None:
    """Spend one use or answer 429."""
    if not await spend(ctx, budget, subject):
        raise TooManyRequests()


def email_subject(email: str) -> str:
    """A budget subject for an e-mail address that keeps the address itself out of Redis."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
