"""Field settings: environment variables `FIELD_*` (nested with `__`)."""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class FieldSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FIELD_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "field"
    http: HttpSettings = HttpSettings(port=8004)
    # Visits: what a check-in outside the customer's geofence does ("flag" it or "refuse" it with 409),
    # and the radius used for customers whose copy carries none.
    geofence_policy: Literal["flag", "refuse"] = "flag"
    default_geofence_radius_m: int = Field(default=100, ge=1, le=100_000)
    # Agent positions older than this are deleted.
    location_retention_days: int = Field(default=30, ge=1, le=3650)
