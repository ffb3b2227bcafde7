"""Orders settings: environment variables `ORDERS_*` (nested with `__`)."""

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from orders.domain.placing import DEFAULT_DISCOUNT_CAPS
from salessync.settings import HttpSettings, ServiceSettings


class OrdersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "orders"
    http: HttpSettings = HttpSettings(port=8003)
    # The highest discount_rate each role may give; roles not named may give none.
    discount_caps: dict[str, Decimal] = Field(default_factory=lambda: dict(DEFAULT_DISCOUNT_CAPS))
    # Per-tenant overrides of discount_caps: {"<tenant id>": {"salesman": "0.05"}}.
    tenant_discount_caps: dict[str, dict[str, Decimal]] = Field(default_factory=dict)

    def caps_for(self, tenant_id: str) -> dict[str, Decimal]:
        override = self.tenant_discount_caps.get(tenant_id)
        return {**self.discount_caps, **override} if override else self.discount_caps
