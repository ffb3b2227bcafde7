"""Notifier settings: environment variables `NOTIFIER_*` (nested with `__`)."""

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class WebSocketSettings(BaseModel):
    """Limits of the `/ws` socket hub (ARCHITECTURE.md, "Real time")."""

    auth_timeout_s: float = Field(default=5.0, gt=0)
    max_frame_bytes: int = Field(default=64 * 1024, ge=1024)
    send_queue: int = Field(default=512, ge=8, description="frames waiting per socket before it is dropped")
    rate_per_s: float = Field(default=20.0, gt=0, description="client frames per second, sustained")
    rate_burst: int = Field(default=40, ge=1)
    replay_max: int = Field(default=10_000, ge=1, description="more missed events than this is a resync")
    upstream_timeout_s: float = Field(default=5.0, gt=0)


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "notifier"
    http: HttpSettings = HttpSettings(port=8005)
    ws: WebSocketSettings = WebSocketSettings()
