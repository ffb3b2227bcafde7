"""Identity settings: environment variables `IDENTITY_*` (nested with `__`)."""

from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "identity"
    http: HttpSettings = HttpSettings(port=8001)
