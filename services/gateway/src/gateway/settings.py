"""Gateway settings: environment variables `GATEWAY_*` (nested with `__`).

The gateway has no database and no NATS: it only needs its routing table, the upstream base URLs
(`upstreams`, from the shared base), the HTTP client's timeouts and pool, and the edge policies.
"""

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from salessync.settings import HttpSettings, ServiceSettings


class RouteRule(BaseModel):
    """`prefix` matches whole path segments; `{id}` (any `{name}`) matches exactly one segment."""

    prefix: str
    service: str


DEFAULT_ROUTES: list[RouteRule] = [
    RouteRule(prefix=prefix, service=service)
    for prefix, service in (
        ("/api/auth", "identity"),
        ("/api/users", "identity"),
        ("/api/tenants", "identity"),
        ("/.well-known/jwks.json", "identity"),
        ("/api/products", "catalog"),
        ("/api/categories", "catalog"),
        ("/api/brands", "catalog"),
        ("/api/price-lists", "catalog"),
        ("/api/customers", "catalog"),
        ("/api/customers/{id}/orders", "orders"),
        ("/api/customers/{id}/visits", "field"),
        ("/api/orders", "orders"),
        ("/api/warehouses", "field"),
        ("/api/vans", "field"),
        ("/api/inventory", "field"),
        ("/api/stock-movements", "field"),
        ("/api/van-loads", "field"),
        ("/api/visits", "field"),
        ("/api/locations", "field"),
        ("/api/dashboard/activities", "notifier"),
        ("/api/notifications", "notifier"),
        ("/ws", "notifier"),
    )
]

# Routes forwarded without an access token: "METHOD /exact/path" (GET also covers HEAD).
DEFAULT_PUBLIC = ["POST /api/auth/login", "POST /api/auth/refresh", "GET /.well-known/jwks.json"]


class UpstreamClientSettings(BaseModel):
    """The aiohttp session the gateway forwards with (`gateway.upstream`).

    There is no write timeout: aiohttp has none. A request body is sent as fast as the client sends it and the
    service reads it; `read_timeout_s` starts once it has been sent. Settings of the former httpx client
    (`transport`, `write_timeout_s`, `max_keepalive`) are ignored when still set, like any unknown setting.
    """

    # Generous: a saturated service accepts late, and a refused connection fails at once anyway (502). At 2 s a
    # burst of new connections to a busy orders at the start of a load run timed out into a few 502s.
    connect_timeout_s: float = Field(default=5.0, gt=0)
    # The longest silence from the service: before its answer starts, and between two parts of it (504).
    read_timeout_s: float = Field(default=30.0, gt=0)
    # Waiting for a free connection when all `max_connections` are busy; added to `connect_timeout_s`.
    pool_timeout_s: float = Field(default=5.0, gt=0)
    max_connections: int = Field(default=64, ge=1)
    # Shorter than the services' own idle keep-alive (uvicorn closes an idle connection after 5 s): reusing a
    # connection the service has just closed fails the request with a 502, which the first POST after a quiet
    # spell of 5 to 30 s used to get.
    keepalive_expiry_s: float = Field(default=4.0, gt=0)


class RateLimitSettings(BaseModel):
    """Token buckets: `rate` tokens per second refill, `burst` tokens at most."""

    enabled: bool = True
    user_rate: float = Field(default=100.0, gt=0)
    user_burst: int = Field(default=200, ge=1)
    address_rate: float = Field(default=200.0, gt=0)
    address_burst: int = Field(default=400, ge=1)
    max_keys: int = Field(default=100_000, ge=100)


class CorsSettings(BaseModel):
    origins: list[str] = ["http://localhost:5173", "http://127.0.0.1:5173"]
    max_age_s: int = 600


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "gateway"
    http: HttpSettings = HttpSettings(port=8000)
    routes: list[RouteRule] = Field(default_factory=lambda: list(DEFAULT_ROUTES))
    public_routes: list[str] = Field(default_factory=lambda: list(DEFAULT_PUBLIC))
    client: UpstreamClientSettings = UpstreamClientSettings()
    rate_limit: RateLimitSettings = RateLimitSettings()
    cors: CorsSettings = CorsSettings()
    max_body_bytes: int = Field(default=1024 * 1024, ge=0)
    # Trust X-Forwarded-For / X-Forwarded-Proto from the peer (only behind a load balancer you run).
    trust_forwarded: bool = False
    openapi_cache_s: float = Field(default=30.0, ge=0)
    openapi_fetch_timeout_s: float = Field(default=2.0, gt=0)
    ws_max_frame_bytes: int = Field(default=1024 * 1024, ge=1024)
