"""The `recovery-bot` command: chat in the terminal, manage the database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import SettingsError, load_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="An accountability companion for recovery.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (overrides DATABASE_URL).")]


def _settings(db: str | None):
    try:
        return load_settings(**({"DATABASE_URL": db} if db else {}))
    except SettingsError as exc:
        typer.echo(f"recovery-bot: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def chat(
    user: Annotated[str | None, typer.Option("--as", help="Who you are in the console (default: your login).")] = None,
    db: DbOption = None,
    export_dir: Annotated[Path, typer.Option(help="Where /export writes its file.")] = Path("."),
) -> None:
    """Talk to the bot as a client, here in the terminal (or pipe lines in)."""
    from bot.bootstrap import build_runtime, configure_logging
    from bot.channels.console import chat as run_chat

    settings = _settings(db)
    configure_logging("WARNING")
    rt = build_runtime(settings)
    run_chat(rt, user=user, export_dir=export_dir)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or update the schema to the latest version."""
    from data.db import current_revision, make_engine, upgrade

    engine = make_engine(_settings(db).database_url)
    upgrade(engine)
    typer.echo(f"database at revision {current_revision(engine)}")


@db_app.command("current")
def db_current(db: DbOption = None) -> None:
    """Show the schema version of the database."""
    from data.db import current_revision, make_engine

    typer.echo(current_revision(make_engine(_settings(db).database_url)) or "empty")


def main() -> None:  # pragma: no cover - console entry for `python -m bot`
    app(prog_name="recovery-bot")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
