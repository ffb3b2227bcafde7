"""Orders settings: environment variables `ORDERS_*` (nested with `__`)."""

from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class OrdersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "orders"
    http: HttpSettings = HttpSettings(port=8003)
