"""A real SMTP server (aiosmtpd) on the loopback that can hold its answer, to catch a worker in
the middle of sending."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from tests.faults.conftest import free_port


class Mailbox:
    """Accepts every message; the first ``stall`` MAIL commands wait ``stall_seconds`` before
    they are answered (the sender is then inside its SMTP conversation)."""

    def __init__(self, stall: int = 0, stall_seconds: float = 60) -> None:
        self.messages: list[Message] = []
        self.stall = stall
        self.stall_seconds = stall_seconds
        self.stalled = threading.Event()
        self.port = free_port()
        self._lock = threading.Lock()

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self._lock:
            stall, self.stall = self.stall > 0, max(0, self.stall - 1)
        if stall:
            self.stalled.set()
            await asyncio.sleep(self.stall_seconds)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # The message is ours once we answer 250: that is when it counts as delivered.
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages]


def running(mailbox: Mailbox) -> Iterator[Mailbox]:
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
