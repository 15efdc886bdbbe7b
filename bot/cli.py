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
    from bot.bootstrap import build_runtime, configure_logging, load_crisis_model
    from bot.channels.console import chat as run_chat

    settings = _settings(db)
    configure_logging("WARNING")
    rt = build_runtime(settings)
    load_crisis_model()
    run_chat(rt, user=user, export_dir=export_dir)


def _runtime(db: str | None, *, clock=None):
    from bot.bootstrap import build_runtime, configure_logging

    settings = _settings(db)
    configure_logging(settings.log_level)
    return settings, (build_runtime(settings, clock=clock) if clock else build_runtime(settings))


def senders_for(settings, rt) -> dict:
    """Channels that can send without running a receiver (for `tick`); the console waits for `chat`.

    Call it inside the event loop: the WhatsApp client opens its HTTP session on creation.
    """
    senders = {}
    if settings.telegram_bot_token:
        from bot.channels.telegram import TelegramSender, make_bot

        bot = make_bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url)
        senders["telegram"] = TelegramSender(bot, rt)
    if settings.whatsapp_enabled:
        from bot.channels import whatsapp

        templates, quick = whatsapp.load_templates(settings.whatsapp_templates_file)
        client = whatsapp.make_client(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
                                      settings.twilio_api_base_url)
        senders["whatsapp"] = whatsapp.WhatsAppSender(
            rt, client, settings.twilio_whatsapp_from, templates, quick_replies=quick,
            status_callback=settings.public_base_url + whatsapp.STATUS_PATH, media_base=settings.public_base_url)
    return senders


@app.command()
def run(
    host: Annotated[str | None, typer.Option(help="Listen address (default: HOST, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default: PORT, 8080).")] = None,
    db: DbOption = None,
) -> None:
    """Run the scheduler, the configured channels and the web app until SIGTERM or Ctrl-C."""
    import asyncio

    from bot.bootstrap import load_crisis_model
    from bot.runner import serve

    settings, rt = _runtime(db)
    load_crisis_model()
    asyncio.run(serve(settings, rt, host=host or settings.host, port=port or settings.port))


@app.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Listen port.")] = 8080,
    max_worlds: Annotated[int | None, typer.Option(help="How many visitors' worlds at once "
                                                          "(default: SANDBOX_MAX_WORLDS, 20).")] = None,
) -> None:
    """Try the bot in the browser: three phones (client, partner, clinician) and a clock, no account needed."""
    import uvicorn
    from starlette.applications import Starlette

    from bot.bootstrap import configure_logging, load_crisis_model
    from bot.web.sandbox import Sandbox

    settings = _settings(None)
    configure_logging("WARNING")
    load_crisis_model()
    worlds = Sandbox(max_worlds=max_worlds or settings.sandbox_max_worlds)
    app = Starlette(routes=worlds.routes())
    typer.echo(f"recovery-bot sandbox: open http://{host}:{port}/sandbox (Ctrl-C to stop)")
    try:  # open pages hold an event stream each: stop waiting for them after a moment
        uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)
    finally:
        worlds.close()


@app.command()
def tick(
    at: Annotated[str | None, typer.Option("--at", help="Run as of this ISO-8601 instant (default: now).")] = None,
    db: DbOption = None,
) -> None:
    """Run one complete scheduler pass and exit (for cron, operators and tests)."""
    import asyncio
    from datetime import UTC, datetime

    from bot.runner import limits
    from handlers.types import FixedClock, system_clock
    from scheduler.outbox import Delivery
    from scheduler.passes import run_pass

    clock = system_clock
    if at:
        try:
            instant = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            typer.echo(f"recovery-bot: --at: not an ISO-8601 instant: {at!r}", err=True)
            raise typer.Exit(2) from None
        clock = FixedClock(instant if instant.tzinfo else instant.replace(tzinfo=UTC))
    settings, rt = _runtime(db, clock=clock)

    async def one_pass():
        return await run_pass(rt, Delivery(rt, senders_for(settings, rt), limits=limits(settings)))

    report = asyncio.run(one_pass())
    typer.echo(f"tick at {rt.clock().isoformat()}: {report}")


outbox_app = typer.Typer(help="Queued, failed and recent messages.", invoke_without_command=True)
app.add_typer(outbox_app, name="outbox")


@outbox_app.callback()
def outbox_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="pending, sending, sent, failed or cancelled.")] = None,
    person: Annotated[int | None, typer.Option(help="Only messages for this person id.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    db: DbOption = None,
) -> None:
    """List messages (message texts are not shown: they are health data)."""
    if ctx.invoked_subcommand is not None:
        return
    import json

    from sqlmodel import Session, col, select

    from data.db import make_engine
    from data.models import Outbox

    engine = make_engine(_settings(db).database_url)
    stmt = select(Outbox).order_by(col(Outbox.id).desc()).limit(limit)
    if status:
        stmt = stmt.where(Outbox.status == status)
    if person is not None:
        stmt = stmt.where(Outbox.person_id == person)
    with Session(engine) as session:
        rows = list(session.exec(stmt))
    fields = ("id", "status", "channel", "person_id", "kind", "priority", "attempts", "due_at", "sent_at",
              "provider_id", "last_error")
    if as_json:
        typer.echo(json.dumps([{f: (v.isoformat() if hasattr(v, "isoformat") else v)
                                for f in fields for v in [getattr(r, f)]} for r in rows], indent=2))
        return
    if not rows:
        typer.echo("no messages")
        return
    typer.echo(f"{'id':>6} {'status':<9} {'channel':<9} {'person':>6} {'kind':<10} {'tries':>5} {'due (UTC)':<17} error")
    for r in rows:
        typer.echo(f"{r.id:>6} {r.status:<9} {r.channel:<9} {r.person_id or '-':>6} {r.kind:<10} {r.attempts:>5} "
                   f"{r.due_at:%Y-%m-%d %H:%M}  {r.last_error or ''}")


@app.command("failed-updates")
def failed_updates(
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    db: DbOption = None,
) -> None:
    """Inbound messages whose handling failed, retried and then kept as dead letters (no text, no address)."""
    from sqlmodel import Session, col, select

    from data.db import make_engine
    from data.models import FailedUpdate

    engine = make_engine(_settings(db).database_url)
    with Session(engine) as session:
        rows = list(session.exec(select(FailedUpdate).order_by(col(FailedUpdate.id).desc()).limit(limit)))
    if not rows:
        typer.echo("no failed updates")
        return
    typer.echo(f"{'id':>6} {'channel':<9} {'update':<14} {'person':>6} {'tries':>5} {'dead':<5} {'last (UTC)':<17} error")
    for r in rows:
        typer.echo(f"{r.id:>6} {r.channel:<9} {r.external_id[:14]:<14} {r.person_id or '-':>6} {r.attempts:>5} "
                   f"{'yes' if r.dead else 'no':<5} {r.last_failed_at:%Y-%m-%d %H:%M}  {r.error}")


@outbox_app.command("retry")
def outbox_retry(message_id: Annotated[int, typer.Argument(help="The id of a failed message.")],
                 db: DbOption = None) -> None:
    """Put a failed message back in the queue, to be sent on the next pass."""
    from datetime import UTC, datetime

    from data import outbox
    from data.db import make_engine

    engine = make_engine(_settings(db).database_url)
    with engine.begin() as conn:
        done = outbox.requeue_failed(conn, message_id, datetime.now(UTC))
    if not done:
        typer.echo(f"recovery-bot: message {message_id} is not a failed message", err=True)
        raise typer.Exit(1)
    typer.echo(f"message {message_id} requeued")


clinician_app = typer.Typer(no_args_is_help=True, help="Clinicians.")
app.add_typer(clinician_app, name="clinician")


def _invite_links(settings, rt) -> dict[str, str]:
    """How an invitation token becomes a link on each channel this deployment runs."""
    import asyncio

    links = dict(rt.invite_links)
    if settings.telegram_bot_token:
        from bot.channels.telegram import make_bot

        async def username() -> str:
            async with make_bot(settings.telegram_bot_token.get_secret_value(),
                                settings.telegram_api_base_url) as bot:
                return bot.username

        links["telegram"] = f"https://t.me/{asyncio.run(username())}?start={{token}}"
    if settings.whatsapp_enabled:
        from bot.channels.whatsapp import invite_link

        links["whatsapp"] = invite_link(settings.twilio_whatsapp_from)
    return links


def _one_clinician(session, name: str):
    from handlers.dashboard import find_clinician

    found = find_clinician(session, name)
    if len(found) != 1:
        typer.echo(f"recovery-bot: {'no clinician' if not found else 'more than one clinician'} named {name!r}",
                   err=True)
        raise typer.Exit(1)
    return found[0]


@clinician_app.command("invite")
def clinician_invite(
    name: Annotated[str | None, typer.Option(help="The clinician's name, as clients and colleagues know them.")] = None,
    db: DbOption = None,
) -> None:
    """Print a single-use invitation link for a clinician (valid 7 days)."""
    from sqlmodel import Session

    from handlers.flows.invites import create

    settings, rt = _runtime(db)
    links = _invite_links(settings, rt)
    with Session(rt.db) as session:
        token = create(session, role="clinician", now=rt.clock(), name=name)
        session.commit()
    typer.echo("Invitation for a clinician (single use, valid 7 days):")
    for channel, template in links.items():
        typer.echo(f"  {channel}: {template.format(token=token)}")


@clinician_app.command("invite-client")
def clinician_invite_client(
    clinician: Annotated[str, typer.Option(help="The clinician the client will have, by name.")],
    db: DbOption = None,
) -> None:
    """Print a single-use invitation link for a new client of that clinician (valid 7 days)."""
    from sqlmodel import Session

    from handlers.flows.invites import create

    settings, rt = _runtime(db)
    links = _invite_links(settings, rt)
    with Session(rt.db) as session:
        who = _one_clinician(session, clinician)
        token = create(session, role="client", now=rt.clock(), clinician_id=who.id)
        session.commit()
    typer.echo(f"Invitation for a new client of {clinician} (single use, valid 7 days):")
    for channel, template in links.items():
        typer.echo(f"  {channel}: {template.format(token=token)}")


@clinician_app.command("assign")
def clinician_assign(
    client: Annotated[int, typer.Option(help="The client's id (see `recovery-bot outbox` or the dashboard).")],
    clinician: Annotated[str, typer.Option(help="The clinician, by name.")],
    db: DbOption = None,
) -> None:
    """Make a clinician the client's clinician (their alerts then reach only that clinician)."""
    from sqlmodel import Session

    from data.models import Person, Role
    from handlers import dashboard

    _, rt = _runtime(db)
    with Session(rt.db) as session:
        who = _one_clinician(session, clinician)
        person = session.get(Person, client)
        if person is None or person.role != Role.client or not dashboard.assign(session, client, who):
            typer.echo(f"recovery-bot: no client with id {client}", err=True)
            raise typer.Exit(1)
        session.commit()
    typer.echo(f"client {client} now has {clinician} as their clinician")


@clinician_app.command("login-link")
def clinician_login_link(
    name: Annotated[str, typer.Option(help="The clinician, by name.")],
    db: DbOption = None,
) -> None:
    """Print a single-use dashboard sign-in link for a clinician (valid 15 minutes)."""
    from sqlmodel import Session

    from handlers import dashboard

    settings, rt = _runtime(db)
    if not rt.dashboard_url:
        typer.echo("recovery-bot: DASHBOARD_ENABLED: the dashboard is off; set DASHBOARD_ENABLED=true, "
                   "DASHBOARD_SESSION_SECRET and PUBLIC_BASE_URL", err=True)
        raise typer.Exit(2)
    with Session(rt.db) as session:
        who = _one_clinician(session, name)
        token = dashboard.login_token(session, who, rt.clock())
        session.commit()
    typer.echo(f"{rt.dashboard_url}/login?token={token}")


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


def _train(module: str, out: Path | None) -> None:
    import importlib

    try:
        train = importlib.import_module(module)
    except ImportError as exc:  # scikit-learn is a training-only dependency
        typer.echo(f"recovery-bot: training needs the train extra (pip install -e '.[train]'): {exc}", err=True)
        raise typer.Exit(2) from None
    train.train(out=out or train.ARTIFACT, log=typer.echo)


safety_app = typer.Typer(no_args_is_help=True, help="The crisis detector: its corpus and its trained model.")
app.add_typer(safety_app, name="safety")


@safety_app.command("train")
def safety_train(
    out: Annotated[Path | None, typer.Option(help="Where to write the model (default: data/safety/model.json.gz).")] = None,
) -> None:
    """Train the crisis detector on data/safety/corpus/ (deterministic: the same corpus gives the same bytes)."""
    _train("handlers.safety.train", out)


@safety_app.command("corpus")
def safety_corpus() -> None:
    """Check the corpus: composition, the floor of every kind x difficulty x language cell, near-duplicates."""
    from handlers.safety import corpus

    rows = corpus.corpus_rows()
    report = corpus.check(rows, corpus.corpus_sequences())
    typer.echo(report.text)
    if not report.ok:
        raise typer.Exit(1)


intents_app = typer.Typer(no_args_is_help=True, help="The intent model: what free text outside a question means.")
app.add_typer(intents_app, name="intents")


@intents_app.command("train")
def intents_train(
    out: Annotated[Path | None, typer.Option(help="Where to write the model (default: data/intents/model.json.gz).")] = None,
) -> None:
    """Train the intent model on data/intents/corpus/ (deterministic: the same corpus gives the same bytes)."""
    _train("handlers.intents.train", out)


@intents_app.command("corpus")
def intents_corpus() -> None:
    """Check the intent corpus: messages per intent and language against the floor of each cell."""
    from handlers.intents import corpus

    rows = corpus.dedupe(corpus.read(corpus.CORPUS))
    typer.echo("\n".join(corpus.composition(rows)))
    if corpus.short_of_floor(rows):
        raise typer.Exit(1)
