"""How the launcher knows notifier: its port, its app factory, its migrations and its demo seed."""

from salessync.registry import ServiceSpec, service_dir_of

SPEC = ServiceSpec(
    name="notifier",
    port_offset=5,
    app_factory="notifier.main:create_app",
    start_order=50,
    service_dir=service_dir_of(__file__),
    seed=None,
    # No permessage-deflate: on loopback (the gateway's hop) compressing each 300-byte frame per socket costs
    # more than it saves, and an uncompressed frame is encoded once per event for every socket.
    # Heartbeats: a ping every 20 s; a peer whose pong is 20 s late gets 1011 and is dropped (tested with shorter
    # figures in tests/integration/test_heartbeat.py).
    uvicorn_args=("--ws-per-message-deflate", "false", "--ws-ping-interval", "20", "--ws-ping-timeout", "20"),
)
