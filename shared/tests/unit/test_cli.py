"""The launcher's decisions that need no process: ports, environment, options, backoff, the run file, reset."""

from __future__ import annotations

import dataclasses
import os
import socket
from pathlib import Path

import pytest

from salessync.cli.commands import reset
from salessync.cli.main import main, options_from, parser
from salessync.cli.plan import (
    LauncherError,
    Options,
    RunState,
    env_port,
    service_env,
    service_ports,
    startable,
)
from salessync.cli.supervisor import Backoff, command_for
from salessync.cli.up import banner
from salessync.embedded import can_bind, ephemeral_low, free_port_block
from salessync.registry import ServiceSpec


def spec(name: str, offset: int, order: int, factory: str | None = None) -> ServiceSpec:
    return ServiceSpec(
        name=name,
        port_offset=offset,
        app_factory=factory or f"{name}.main:create_app",
        start_order=order,
        service_dir=Path("/nowhere"),
    )


GATEWAY, IDENTITY, CATALOG = spec("gateway", 0, 90), spec("identity", 1, 10), spec("catalog", 2, 20)


def test_services_take_the_ports_after_the_gateway_unless_configured() -> None:
    ports = service_ports([GATEWAY, IDENTITY, CATALOG], 9000, {"CATALOG_HTTP__PORT": "9100"})
    assert ports["gateway"] == 9000
    assert ports["identity"] == 9001
    assert ports["catalog"] == 9100
    assert ports["notifier"] == 9005  # known even before the notifier is installed


def test_a_configured_port_that_is_not_a_number_is_a_one_line_error() -> None:
    with pytest.raises(LauncherError, match="IDENTITY_HTTP__PORT='x' is not a port number"):
        service_ports([IDENTITY], 9000, {"IDENTITY_HTTP__PORT": "x"})
    with pytest.raises(LauncherError, match="not a port number"):
        env_port({"SALESSYNC_PORT": "70000"}, "SALESSYNC_PORT", 8000)


def test_each_service_is_told_its_database_nats_jwks_and_every_other_service() -> None:
    ports = service_ports([GATEWAY, IDENTITY, CATALOG], 9000, {})
    env = service_env(
        CATALOG, ports=ports, database_url="postgresql+asyncpg://catalog@/catalog?host=/d", nats_url="nats://n:1"
    )
    assert env["CATALOG_DATABASE__URL"] == "postgresql+asyncpg://catalog@/catalog?host=/d"
    assert env["CATALOG_NATS__URL"] == "nats://n:1"
    assert env["CATALOG_HTTP__HOST"] == "127.0.0.1"
    assert env["CATALOG_HTTP__PORT"] == "9002"
    assert env["CATALOG_ENVIRONMENT"] == "dev"
    assert env["CATALOG_AUTH__JWKS_URL"] == "http://127.0.0.1:9001/.well-known/jwks.json"
    assert env["CATALOG_UPSTREAMS__GATEWAY"] == "http://127.0.0.1:9000"
    assert env["CATALOG_UPSTREAMS__NOTIFIER"] == "http://127.0.0.1:9005"
    assert "CATALOG_UPSTREAMS__CATALOG" not in env


def test_a_stateless_service_gets_no_database_url() -> None:
    env = service_env(GATEWAY, ports=service_ports([GATEWAY], 9000, {}), database_url=None, nats_url="nats://n:1")
    assert not any(key.endswith("DATABASE__URL") for key in env)


def test_only_services_whose_app_module_exists_are_started_in_start_order() -> None:
    real = spec("real", 3, 50, factory="salessync.app:create_service_app")
    first = spec("first", 4, 5, factory="salessync.web:install_probes")
    missing = spec("missing", 5, 1, factory="no_such_package.main:create_app")
    assert [s.name for s in startable([real, missing, first])] == ["first", "real"]


def test_the_service_command_is_uvicorn_with_its_factory_on_loopback() -> None:
    command = command_for(CATALOG, 9002)
    assert command[1:5] == ["-m", "uvicorn", "--factory", "catalog.main:create_app"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "9002"
    assert "--no-access-log" in command


def test_a_service_adds_its_own_uvicorn_options_to_the_command() -> None:
    notifier = dataclasses.replace(CATALOG, uvicorn_args=("--ws-per-message-deflate", "false"))
    assert command_for(notifier, 9005)[-2:] == ["--ws-per-message-deflate", "false"]


def test_backoff_doubles_up_to_its_ceiling() -> None:
    backoff = Backoff(first_s=0.5, max_s=4.0)
    assert [backoff.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_options_come_from_arguments_then_environment() -> None:
    environ = {
        "SALESSYNC_PORT": "9100",
        "SALESSYNC_DATA_DIR": "/tmp/x",
        "SALESSYNC_NO_SEED": "1",
        "NATS_URL": "nats://h:4",
    }
    options = options_from(parser(environ).parse_args(["up"]), environ)
    assert (options.port, options.data_dir, options.seed) == (9100, Path("/tmp/x"), False)
    assert options.nats_url == "nats://h:4" and options.database_url is None
    options = options_from(parser(environ).parse_args(["up", "--port", "9200", "--data-dir", "/tmp/y"]), environ)
    assert (options.port, options.data_dir) == (9200, Path("/tmp/y"))


def test_a_bad_option_is_one_line_on_stderr_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["up", "--port", "0"]) == 1
    assert capsys.readouterr().err == "salessync up: --port 0 is not a port number (1-65535)\n"


def test_the_run_file_of_a_dead_launcher_is_ignored(tmp_path: Path) -> None:
    state = RunState(pid=os.getpid(), gateway_port=1, ports={}, services=[], nats_url="", embedded_postgres=True)
    state.write(tmp_path)
    assert RunState.read(tmp_path) == state
    state.pid = 2**22 + 12345  # above the kernel's pid_max: no such process
    state.write(tmp_path)
    assert RunState.read(tmp_path) is None


def make_data_dir(tmp_path: Path) -> Options:
    options = Options(data_dir=tmp_path / "var")
    (options.pg_dir).mkdir(parents=True)
    (options.nats_dir).mkdir()
    (options.pg_dir / "PG_VERSION").write_text("16\n")
    return options


def test_reset_asks_and_keeps_the_data_unless_told_yes(tmp_path: Path) -> None:
    options = make_data_dir(tmp_path)
    assert reset(options, yes=False, ask=lambda _prompt: "n") == 1
    assert options.data_dir.exists()
    assert reset(options, yes=False, ask=lambda _prompt: "y") == 0
    assert not options.data_dir.exists()


def test_reset_with_yes_deletes_without_asking(tmp_path: Path) -> None:
    options = make_data_dir(tmp_path)

    def never(_prompt: str) -> str:
        raise AssertionError("asked")

    assert reset(options, yes=True, ask=never) == 0
    assert not options.data_dir.exists()


def test_reset_refuses_while_salessync_runs(tmp_path: Path) -> None:
    options = make_data_dir(tmp_path)
    RunState(pid=os.getpid(), gateway_port=1, ports={}, services=[], nats_url="", embedded_postgres=True).write(
        options.data_dir
    )
    with pytest.raises(LauncherError, match="is running"):
        reset(options, yes=True)
    assert options.data_dir.exists()


def test_reset_refuses_a_folder_salessync_did_not_write(tmp_path: Path) -> None:
    options = make_data_dir(tmp_path)
    (options.data_dir / "thesis.tex").write_text("years of work")
    with pytest.raises(LauncherError, match="did not write"):
        reset(options, yes=True)
    assert (options.data_dir / "thesis.tex").exists()


def test_the_banner_names_every_url_and_the_demo_logins() -> None:
    options = Options(port=9000, data_dir=Path("/d"))
    ports = service_ports([GATEWAY, IDENTITY], 9000, {})
    text = banner(options, [IDENTITY, GATEWAY], ports, "nats://127.0.0.1:4222", ["identity"])
    assert "http://127.0.0.1:9000/api-docs" in text
    assert "identity   http://127.0.0.1:9001" in text
    assert "admin@demo.example" in text and "Demo-pass-2026" in text
    assert "nats://127.0.0.1:4222" in text


def test_the_banner_without_seed_says_how_to_add_the_demo() -> None:
    text = banner(Options(seed=False), [], {}, "nats://x:1", [])
    assert "salessync seed" in text and "admin@demo.example" not in text


def test_free_ports_for_the_services_lie_below_the_ephemeral_range() -> None:
    """Outgoing connections take their local port from the ephemeral range: a service port chosen there can be
    taken by one of them before the service binds it (CI once lost an e2e run to that)."""
    low = ephemeral_low()
    for _ in range(20):
        port = free_port_block(6)
        assert 10000 <= port and port + 6 <= low
        assert all(can_bind(port + i) for i in range(6))


def test_a_port_someone_listens_on_is_not_offered() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        assert not can_bind(held.getsockname()[1])
