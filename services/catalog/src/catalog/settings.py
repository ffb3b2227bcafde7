"""Catalog settings: environment variables `CATALOG_*` (nested with `__`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "catalog"
    http: HttpSettings = HttpSettings(port=8002)
    # Product and customer list pages kept per replica (see catalog.adapters.page_cache); 0 turns it off.
    # Connections of the plain asyncpg pool that serves list and record reads (beside the shared pool); 0: none.
    read_pool_size: int = Field(default=3, ge=0, le=16)
    list_cache_mb: int = Field(default=32, ge=0, le=4096)
