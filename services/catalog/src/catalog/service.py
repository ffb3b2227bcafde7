"""How the launcher knows catalog: its port, its app factory, its migrations and its demo seed."""

from salessync.registry import ServiceSpec, service_dir_of

SPEC = ServiceSpec(
    name="catalog",
    port_offset=2,
    app_factory="catalog.main:create_app",
    start_order=20,
    service_dir=service_dir_of(__file__),
    seed="catalog.seed:seed_demo",
)
