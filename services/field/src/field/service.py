"""How the launcher knows field: its port, its app factory, its migrations and its demo seed."""

from salessync.registry import ServiceSpec, service_dir_of

SPEC = ServiceSpec(
    name="field",
    port_offset=4,
    app_factory="field.main:create_app",
    start_order=30,
    service_dir=service_dir_of(__file__),
    seed="field.seed:seed_demo",
)
