"""The channel-neutral values a turn takes in and gives back; every renderer uses these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Channel = Literal["sms", "voice", "web"]
Kind = Literal["answer", "prompt", "safety", "notice"]


@dataclass(frozen=True)
class Inbound:
    """One message from a parent, parsed by a channel adapter."""

    channel: Channel
    contact: str  # E.164 number or chat session id: hashed at once, never stored or logged
    text: str = ""
    digits: str = ""
    message_id: str | None = None  # MessageSid / CallSid+step / chat message id: a retry is answered once


@dataclass(frozen=True)
class Choice:
    """An option the parent can pick by typing or pressing `key`."""

    key: str
    label: str


@dataclass(frozen=True)
class Reply:
    """One bot message: text for screens, `spoken` for the phone line, and any choices."""

    text: str
    spoken: str | None = None
    choices: tuple[Choice, ...] = ()
    kind: Kind = "notice"
    expects: Literal["choice", "text", "yesno", "none"] = "none"
    sender: Literal["bot", "caseworker"] = "bot"

    @property
    def voice_text(self) -> str:
        """What the phone line says."""
        return self.spoken or self.text


@dataclass
class TurnResult:
    """What the engine decided for one inbound message."""

    replies: list[Reply] = field(default_factory=list)
    duplicate: bool = False  # a retried webhook: already answered, say nothing
    silent: bool = False  # e.g. after STOP: send nothing at all
    hangup: bool = False  # phone line: end the call after speaking
    forgotten: bool = False  # the conversation was deleted (FORGET, STOP)
