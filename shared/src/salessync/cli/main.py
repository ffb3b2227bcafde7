"""`salessync`: command-line arguments (each with an environment equivalent) and one-line errors."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

from salessync.logging import configure_logging
from salessync.registry import DEFAULT_GATEWAY_PORT

from .plan import LauncherError, Options, env_flag, env_port
from .stack import one_line

TENANT_STATUS = {"suspend": "suspended", "reactivate": "active"}  # `salessync tenant <verb>` -> the status it sets


def parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    port = env_port(environ, "SALESSYNC_PORT", DEFAULT_GATEWAY_PORT)
    data_dir = environ.get("SALESSYNC_DATA_DIR") or "var"

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=data_dir, help="where PostgreSQL and NATS keep their data "
                        "(env SALESSYNC_DATA_DIR, default ./var)")  # fmt: skip
    with_port = argparse.ArgumentParser(add_help=False)
    with_port.add_argument("--port", type=int, default=port, help="the gateway's port; the services take the "
                           "next five (env SALESSYNC_PORT, default 8000)")  # fmt: skip

    top = argparse.ArgumentParser(prog="salessync", description="Run and operate SalesSync on one machine.")
    sub = top.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", parents=[common, with_port], help="start the whole system and supervise it")
    up.add_argument("--no-seed", action="store_true", default=env_flag(environ.get("SALESSYNC_NO_SEED")),
                    help="do not add the demo tenant (env SALESSYNC_NO_SEED=1)")  # fmt: skip
    up.add_argument("--ready-timeout", type=float, default=60.0, help="seconds to wait for every /ready")
    sub.add_parser("status", parents=[common, with_port], help="which services answer, is the infrastructure up")
    reset = sub.add_parser("reset", parents=[common], help="delete the data dir (asks first)")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    sub.add_parser("seed", parents=[common], help="add the demo tenant (idempotent)")
    tenant = sub.add_parser("tenant", help="tenants").add_subparsers(dest="tenant_command", required=True)
    create = tenant.add_parser("create", parents=[common], help="create a tenant and its first admin")
    create.add_argument("--code", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--admin-email", required=True)
    create.add_argument("--admin-password-stdin", action="store_true", help="read the password from stdin")
    for verb, text in (("suspend", "suspend a tenant: its users cannot log in, its sockets close with 4403"),
                       ("reactivate", "reactivate a suspended tenant")):  # fmt: skip
        tenant.add_parser(verb, parents=[common], help=text).add_argument("--code", required=True)
    return top


def options_from(args: argparse.Namespace, environ: Mapping[str, str]) -> Options:
    port = getattr(args, "port", DEFAULT_GATEWAY_PORT)
    if not 0 < port < 65536:
        raise LauncherError(f"--port {port} is not a port number (1-65535)")
    return Options(
        port=port,
        data_dir=Path(args.data_dir).expanduser().resolve(),
        seed=not getattr(args, "no_seed", False),
        database_url=environ.get("DATABASE_URL") or None,
        nats_url=environ.get("NATS_URL") or None,
        ready_timeout_s=getattr(args, "ready_timeout", 60.0),
    )


def admin_password(args: argparse.Namespace) -> str:
    if args.admin_password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Admin password: ")
    if not password:
        raise LauncherError("the admin password is empty")
    return password


def dispatch(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from . import commands
    from .up import run_up

    options = options_from(args, environ)
    configure_logging("launcher", environ.get("SALESSYNC_LOG_LEVEL", "INFO"))
    for quiet in ("alembic", "httpx", "httpcore"):
        logging.getLogger(quiet).setLevel(logging.WARNING)
    if args.command == "up":
        return run_up(options, environ=environ)
    if args.command == "status":
        return commands.status(options, environ)
    if args.command == "reset":
        return commands.reset(options, yes=args.yes)
    if args.command == "seed":
        return commands.seed(options)
    if args.tenant_command in TENANT_STATUS:
        return commands.tenant_set_status(options, code=args.code, status=TENANT_STATUS[args.tenant_command])
    return commands.tenant_create(
        options,
        code=args.code,
        name=args.name,
        admin_email=args.admin_email,
        admin_password=admin_password(args),
    )


def main(argv: Sequence[str] | None = None) -> int:
    warnings.filterwarnings("ignore", module="platformdirs")
    environ = os.environ
    command = "salessync"
    try:
        args = parser(environ).parse_args(argv)
        command = f"salessync {args.command}"
        return dispatch(args, environ)
    except LauncherError as exc:
        print(f"{command}: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug or an unforeseen failure: still one line, the traceback on demand
        if env_flag(environ.get("SALESSYNC_DEBUG")):
            raise
        print(f"{command}: unexpected error: {one_line(exc)} (SALESSYNC_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
