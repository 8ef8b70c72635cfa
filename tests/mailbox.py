"""A real SMTP server (aiosmtpd) on a free local port, keeping what it receives."""

import email
import re
import socket
import time
from dataclasses import dataclass, field
from email.message import Message

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


@dataclass
class Mailbox:
    """Messages received, and how to read the links in them."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str, at_least: int = 1, wait: float = 5.0) -> list[Message]:
        """Return the messages to `address`, waiting a little for ones sent in the background."""
        deadline = time.monotonic() + wait
        while len([m for m in self.messages if m["To"] == address]) < at_least and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        return [m for m in self.messages if m["To"] == address]

    def link_to(self, address: str) -> str:
        """Return the link in the newest message to `address`."""
        body = self.to(address)[-1].get_payload(decode=True).decode()
        return LINK.search(body).group(0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_mailbox() -> tuple[Mailbox, Controller]:
    """Start the server; the caller stops the controller."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return mailbox, controller
