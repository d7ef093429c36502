"""``python -m app.runs.migrations <alembic command>`` on the database the settings name, e.g. ``current``,
``upgrade head``, ``downgrade base``, ``revision --autogenerate -m "…"``."""

from alembic.config import CommandLine

from app.runs.migrations import config


def main(argv: list[str] | None = None) -> None:
    cli = CommandLine(prog="python -m app.runs.migrations")
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    cli.run_cmd(config(), options)


if __name__ == "__main__":
    main()
