"""How the launcher knows orders: its port, its app factory, its migrations and its demo seed."""

from salessync.registry import ServiceSpec, service_dir_of

SPEC = ServiceSpec(
    name="orders",
    port_offset=3,
    app_factory="orders.main:create_app",
    start_order=40,
    service_dir=service_dir_of(__file__),
    seed=None,
)
