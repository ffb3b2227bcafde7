"""Catalog settings: environment variables `CATALOG_*` (nested with `__`)."""

from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "catalog"
    http: HttpSettings = HttpSettings(port=8002)
