"""The `salessync` command: `up` (the whole system on one machine), `status`, `reset`, `seed`, `tenant create`.

One module per concern: `main` (arguments), `plan` (ports, URLs, environment of each service, the run file),
`stack` (PostgreSQL, NATS, databases, migrations, seeds), `supervisor` (service processes), `up` (the order
of it all), `commands` (the other sub-commands).
"""
