"""How the launcher knows the gateway: the public port, no database of its own, started last."""

from salessync.registry import ServiceSpec, service_dir_of

SPEC = ServiceSpec(
    name="gateway",
    port_offset=0,
    app_factory="gateway.main:create_app",
    start_order=90,
    service_dir=service_dir_of(__file__),
    has_database=False,
    # /ws as a byte tunnel to the notifier (gateway/tunnel.py) instead of a frame-by-frame relay.
    uvicorn_args=("--ws", "gateway.tunnel:WebSocketTunnel"),
)
