"""Catalog settings: environment variables `CATALOG_*` (nested with `__`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "catalog"
    http: HttpSettings = HttpSettings(port=8002)
    # Product and customer list pages kept per replica (see catalog.adapters.page_cache); 0 turns it off.
    list_cache_mb: int = Field(default=32, ge=0, le=4096)
