"""Configuration from environment variables only, with documented defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Every field maps to one environment variable (see README)."""

    database_url: str = field(
        default_factory=lambda: _env("DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/crmgraph")
    )
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", "redis://127.0.0.1:6379/0"))
    queue_name: str = field(default_factory=lambda: _env("CRMGRAPH_QUEUE", "crmgraph:queue"))
    jwt_secret: str = field(default_factory=lambda: _env("JWT_SECRET", "dev-only-change-me-" + "x" * 24))
    jwt_issuer: str = field(default_factory=lambda: _env("JWT_ISSUER", "crmgraph"))
    access_token_ttl: int = field(default_factory=lambda: int(_env("ACCESS_TOKEN_TTL", "28800")))
    refresh_token_ttl: int = field(default_factory=lambda: int(_env("REFRESH_TOKEN_TTL", str(30 * 86400))))
    reset_token_ttl: int = field(default_factory=lambda: int(_env("RESET_TOKEN_TTL", "3600")))
    admin_email: str = field(default_factory=lambda: _env("CRMGRAPH_ADMIN_EMAIL", "admin@example.com"))
    admin_password: str = field(default_factory=lambda: _env("CRMGRAPH_ADMIN_PASSWORD", "admin"))
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))
    smtp_url: str = field(default_factory=lambda: _env("SMTP_URL", ""))
    mail_from: str = field(default_factory=lambda: _env("MAIL_FROM", "no-reply@example.com"))
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", "http://127.0.0.1:8000"))
    search_backend: str = field(default_factory=lambda: _env("SEARCH_BACKEND", "postgres"))
    opensearch_url: str = field(default_factory=lambda: _env("OPENSEARCH_URL", "http://127.0.0.1:9200"))
    graphql_max_depth: int = field(default_factory=lambda: int(_env("GRAPHQL_MAX_DEPTH", "10")))
    graphql_max_aliases: int = field(default_factory=lambda: int(_env("GRAPHQL_MAX_ALIASES", "15")))
    graphql_compile: bool = field(default_factory=lambda: _env("GRAPHQL_COMPILE", "1") not in ("0", "false"))
    graphql_max_cost: int = field(default_factory=lambda: int(_env("GRAPHQL_MAX_COST", "500000")))
    graphql_max_tokens: int = field(default_factory=lambda: int(_env("GRAPHQL_MAX_TOKENS", "2000")))
    login_rate_per_ip: int = field(default_factory=lambda: int(_env("LOGIN_RATE_PER_IP", "20")))
    login_rate_per_email: int = field(default_factory=lambda: int(_env("LOGIN_RATE_PER_EMAIL", "5")))
    storage_dir: str = field(default_factory=lambda: _env("STORAGE_DIR", ".data/files"))
    vat_registry_url: str = field(
        default_factory=lambda: _env("VAT_REGISTRY_URL", "https://wl-api.mf.gov.pl")
    )


def get_settings() -> Settings:
    return Settings()
