"""Start and stop the test OpenID provider (provider.js) for the browser tests."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

PROVIDER_DIR = Path(__file__).resolve().parent
STARTUP_SECONDS = 20


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    accounts_file: Path

    def set_accounts(self, accounts: dict[str, dict[str, Any]]) -> None:
        """Who may log in and the claims of their ID token (read by the provider at each login)."""
        self.accounts_file.write_text(json.dumps(accounts), encoding="utf-8")

    def tamper_next_id_token(self) -> None:
        requests.post(f"{self.issuer}/test/tamper-next-id-token", timeout=5).raise_for_status()


def missing_requirement() -> str | None:
    """Why the provider cannot run on this machine, or None."""
    if shutil.which("node") is None:
        return "node is not installed (the test OpenID provider is a Node program)"
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return "tests/oidc_provider has no node_modules (npm ci --prefix tests/oidc_provider)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_discovery(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OpenID provider exited:\n{log.read_text()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"the OpenID provider did not start in {STARTUP_SECONDS}s:\n{log.read_text()}"
    )


@contextmanager
def running_provider(clients: list[dict[str, Any]]) -> Iterator[RunningProvider]:
    """Run ``node provider.js PORT`` with ``clients`` registered, until the block ends."""
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="loket-oidc-") as folder:
        accounts_file = Path(folder) / "accounts.json"
        accounts_file.write_text("{}", encoding="utf-8")
        log = Path(folder) / "provider.log"
        env = {
            **os.environ,
            "OIDC_CLIENTS": json.dumps(clients),
            "OIDC_ACCOUNTS_FILE": str(accounts_file),
            "OIDC_TEST_CONTROLS": "1",
        }
        with log.open("wb") as output:
            process = subprocess.Popen(
                ["node", "provider.js", str(port)],
                cwd=PROVIDER_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for_discovery(issuer, process, log)
            yield RunningProvider(issuer, accounts_file)
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
