"""Field settings: environment variables `FIELD_*` (nested with `__`)."""

from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class FieldSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FIELD_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "field"
    http: HttpSettings = HttpSettings(port=8004)
