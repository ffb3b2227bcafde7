"""How the launcher knows identity: its port, its app factory, its migrations and its demo seed."""

from salessync.registry import ServiceSpec, service_dir_of

SPEC = ServiceSpec(
    name="identity",
    port_offset=1,
    app_factory="identity.main:create_app",
    start_order=10,
    service_dir=service_dir_of(__file__),
    seed="identity.seed:seed_demo",
)
