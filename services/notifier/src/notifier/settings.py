"""Notifier settings: environment variables `NOTIFIER_*` (nested with `__`)."""

from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "notifier"
    http: HttpSettings = HttpSettings(port=8005)
