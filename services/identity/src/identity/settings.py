"""Identity settings: environment variables `IDENTITY_*` (nested with `__`)."""

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class PasswordSettings(BaseModel):
    """argon2id cost; the defaults are OWASP's (19 MiB, 2 passes, 1 lane). Tests lower `memory_kib`."""

    memory_kib: int = Field(default=19456, ge=8)
    time_cost: int = Field(default=2, ge=1)
    parallelism: int = Field(default=1, ge=1)
    min_length: int = Field(default=10, ge=8)


class TokenSettings(BaseModel):
    access_ttl_s: int = Field(default=900, ge=30)
    refresh_ttl_s: int = Field(default=30 * 24 * 3600, ge=60)
    # How often each replica re-reads the signing keys (a rotation made by another replica shows up then).
    key_reload_s: float = Field(default=30.0, gt=0)


class ThrottleSettings(BaseModel):
    """Login attempts per fixed window, counted in the database (shared by every replica)."""

    window_s: int = Field(default=900, ge=1)
    account_max: int = Field(default=5, ge=1)
    address_max: int = Field(default=50, ge=1)
    # Peers whose X-Forwarded-For is believed (the gateway); anyone else is the address itself.
    trusted_proxies: list[str] = ["127.0.0.1", "::1"]


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "identity"
    http: HttpSettings = HttpSettings(port=8001)
    password: PasswordSettings = PasswordSettings()
    tokens: TokenSettings = TokenSettings()
    throttle: ThrottleSettings = ThrottleSettings()
