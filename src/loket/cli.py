"""The ``loket`` command: ``loket demo``, ``loket serve``, ``loket seed``, ``loket migrate`` ….

Subcommands that are Django management commands are passed through; ``demo`` and ``serve`` run
the platform under gunicorn (a production-grade server, never Django's development server).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

SERVER_ENVIRONMENT = """
Read from the environment (README, Configuration):
  LOKET_BIND                 the address and port to listen on (default 0.0.0.0:8000; the demo:
                             127.0.0.1:8000)
  LOKET_WORKERS              gunicorn worker processes (default 3)
  LOKET_LOG_FORMAT           plain (default) or json: one JSON object per line
  LOKET_METRICS_TOKEN        the bearer token Prometheus sends to /metrics
  PROMETHEUS_MULTIPROC_DIR   a directory shared with `loket worker`, so /metrics adds up every
                             process's counts (made if missing)"""
SERVER_HELP = {
    "serve": "usage: loket serve\n\nServe Loket under gunicorn." + SERVER_ENVIRONMENT,
    "demo": (
        "usage: loket demo [--reseed]\n\nMigrate, load the demo data once (again with "
        "--reseed), start a worker and serve Loket under gunicorn with 2 workers."
        + SERVER_ENVIRONMENT
    ),
}


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    import django

    from loket.config import ConfigurationError

    try:
        django.setup()
    except ConfigurationError as problem:
        print(f"loket: {problem}", file=sys.stderr)
        raise SystemExit(2) from None


def gunicorn_arguments(bind: str, workers: int, log_format: str) -> list[str]:
    """gunicorn's command line for ``loket serve``. In JSON, gunicorn writes no access log
    (``loket.requests`` has one line per request) and its own messages as JSON lines."""
    arguments = ["loket.wsgi:application", "--bind", bind, "--workers", str(workers)]
    arguments += ["--forwarded-allow-ips", "127.0.0.1"]
    if log_format == "json":
        return [*arguments, "--config", "python:loket.observe.gunicorn_json"]
    # The metrics of several workers (multiprocess mode) and, in plain text, the access log.
    return [*arguments, "--access-logfile", "-", "--config", "python:loket.observe.gunicorn"]


def _serve(bind: str, workers: int) -> None:
    """Replace this process with gunicorn serving Loket."""
    from django.conf import settings

    executable = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    arguments = gunicorn_arguments(bind, workers, settings.LOKET_LOG_FORMAT)
    os.execv(executable, [executable, *arguments])  # noqa: S606 - a fixed executable


def demo(arguments: Sequence[str]) -> None:
    """Migrate, load reference and demo data once, print the demo identities, and serve."""
    os.environ.setdefault("LOKET_ENV", "demo")
    _setup()
    from django.core.management import call_command

    from loket.registers.generator import registers_are_empty
    from loket.web.demo import DEMO_IDENTITIES

    call_command("migrate", interactive=False, verbosity=0)
    # Served as in production: hashed, compressed, cached for a year (settings.STORAGES).
    call_command("collectstatic", interactive=False, verbosity=0)
    if "--reseed" in arguments or registers_are_empty():
        print("Loading reference data and generating the demo registers…", flush=True)
        call_command("seed")
    call_command("certificates", "demo-ca")  # kept when there (var/certificates/)
    from loket.assist.models import ModelVersion

    if not ModelVersion.objects.filter(task="incidents", active=True).exists():
        print("Training the report classifier (once)…", flush=True)
        call_command("ai", "train", "incidents")
    if not ModelVersion.objects.filter(task="finder", active=True).exists():
        print("Indexing the procedure finder (once)…", flush=True)
        call_command("ai", "train", "finder")
    from loket.core.models import User

    # The worker sends notifications and runs background work; it shares this process group,
    # so Ctrl+C stops it together with the server.
    subprocess.Popen([sys.executable, "-m", "loket.cli", "worker"])
    from django.conf import settings

    from loket.config import browser_address

    bind = settings.CONFIG.bind  # LOKET_BIND; this machine only by default in the demo
    shown = browser_address(bind)
    print(f"\nLoket is running at http://{shown}/  (Ctrl+C to stop)")
    print(f"Log in at http://{shown}/en/demo-login/ as one of:")
    for identity in DEMO_IDENTITIES:
        user = User.objects.filter(username=f"demo-{identity.key}").first()
        name = user.display_name if user else "?"
        print(f"  - {name:<18} {identity.description}")
    print(flush=True)
    _serve(bind, workers=2)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = arguments[0] if arguments else "help"
    if command in SERVER_HELP and ("-h" in arguments[1:] or "--help" in arguments[1:]):
        print(SERVER_HELP[command])
        return
    from loket.observe import multiprocess  # before anything imports prometheus_client

    problem = multiprocess.prepare(command)
    if problem:
        print(f"loket: {problem}", file=sys.stderr)
        raise SystemExit(2)
    if command == "demo":
        demo(arguments[1:])
    elif command == "serve":
        _setup()
        from django.conf import settings

        from loket.observe.metrics import multiprocess_warning

        warning = multiprocess_warning(settings.CONFIG.workers, bool(settings.LOKET_METRICS_TOKEN))
        if warning:
            print(warning, file=sys.stderr, flush=True)
        _serve(settings.CONFIG.bind, workers=settings.CONFIG.workers)
    elif command == "appgraph":  # reads the code only: no settings, no database
        from loket.core.appgraph import main as appgraph

        raise SystemExit(appgraph(arguments[1:]))
    elif command in ("help", "-h", "--help"):
        print(__doc__)
        print("Commands: demo [--reseed], serve, worker [--once], seed, migrate, audit, report,")
        print("geo, opendata, appgraph [--check], and every other Django management command.")
    else:
        _setup()
        from django.core.management import execute_from_command_line

        if command == "worker":  # its outgoing calls (webhooks, providers) as traces too
            from loket.observe import tracing

            tracing.configure()

        execute_from_command_line(["loket", *arguments])


if __name__ == "__main__":
    main()
