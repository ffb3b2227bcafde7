"""Settings base shared by every service: nested groups, secrets as SecretStr, loud on placeholders."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDERS = {"", "change-me", "changeme", "secret", "password", "dev"}


class DatabaseSettings(BaseModel):
    url: SecretStr = SecretStr("postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    # A fixed pool: overflow connections are closed when handed back, so under load they were opened again and
    # again (asyncpg's type introspection each time), which cost more than the extra connections save.
    pool_size: int = Field(default=8, ge=1, le=64)
    max_overflow: int = Field(default=0, ge=0, le=64)


class NatsSettings(BaseModel):
    url: str = "nats://127.0.0.1:4222"  # several servers of a cluster: comma-separated
    stream: str = "SALESSYNC"
    stream_replicas: int = Field(default=1, ge=1, le=5)  # 3 on a three-node cluster
    duplicate_window_s: int = Field(default=600, ge=1)


class AuthSettings(BaseModel):
    issuer: str = "salessync-identity"
    audience: str = "salessync"
    jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    # A static JWKS document (JSON); when set, jwks_url is not fetched (tests, air-gapped deployments).
    jwks_json: str | None = None


class HttpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)


SERVICE_PORT_OFFSETS = {"gateway": 0, "identity": 1, "catalog": 2, "orders": 3, "field": 4, "notifier": 5}


def default_upstreams() -> dict[str, str]:
    """Base URLs of the other services on the embedded default (`<NAME>_UPSTREAMS__<OTHER>` overrides)."""
    return {name: f"http://127.0.0.1:{8000 + offset}" for name, offset in SERVICE_PORT_OFFSETS.items()}


class ServiceSettings(BaseSettings):
    """Base of every `<Name>Settings`; environment variables `<SERVICE>_<FIELD>` with `__` for nesting."""

    # A variable for one field of a group keeps the service's defaults for the others (ORDERS_HTTP__HOST alone
    # left orders on port 8000, the base default, instead of its own 8003).
    model_config = SettingsConfigDict(
        env_nested_delimiter="__", extra="ignore", nested_model_default_partial_update=True
    )

    service_name: str = "service"
    environment: Literal["dev", "test", "prod"] = "dev"
    log_level: str = "INFO"
    database: DatabaseSettings = DatabaseSettings()
    nats: NatsSettings = NatsSettings()
    auth: AuthSettings = AuthSettings()
    http: HttpSettings = HttpSettings()
    upstreams: dict[str, str] = Field(default_factory=default_upstreams)

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> ServiceSettings:
        if self.environment == "prod":
            for name, value in _secret_fields(self):
                if value.get_secret_value().strip().lower() in PLACEHOLDERS:
                    raise ValueError(f"{name} is a placeholder; set a real secret outside dev")
        return self


def _secret_fields(model: BaseModel, prefix: str = "") -> list[tuple[str, SecretStr]]:
    found: list[tuple[str, SecretStr]] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            found.append((prefix + name, value))
        elif isinstance(value, BaseModel):
            found.extend(_secret_fields(value, f"{prefix}{name}."))
    return found
