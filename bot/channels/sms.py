"""SMS adapter: Twilio form fields in, TwiML <Message> out."""

from __future__ import annotations

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from bot import twilio_cleanup
from bot.channels.twilio_auth import twilio_signed
from bot.replies import Inbound, Reply, TurnResult
from bot.services import services

bp = Blueprint("sms", __name__)
bp.record_once(lambda state: twilio_cleanup.init_app(state.app))  # type: ignore[arg-type]  # a Flask app


def render_text(reply: Reply) -> str:
    """One SMS: the text, then each choice on its own line ("1 Primary school")."""
    lines = [reply.text] + [f"{choice.key} {choice.label}" for choice in reply.choices]
    return "\n".join(line for line in lines if line)


def twiml(result: TurnResult) -> Response:
    """TwiML with one <Message> per reply; an empty <Response/> when nothing should be sent."""
    response = MessagingResponse()
    if not (result.duplicate or result.silent):
        reported = twilio_cleanup.reply_callback()  # so Twilio's copy of each reply can be deleted too
        for reply in result.replies:
            response.message(render_text(reply), **reported)
    return Response(str(response), mimetype="text/xml")


@bp.post("/twilio/sms")
@twilio_signed
def inbound_sms() -> Response:
    """A parent's text message; Twilio's own copy of it is deleted once it is answered (bot/twilio_cleanup.py)."""
    form = request.form
    with twilio_cleanup.deleted_afterwards(form.get("MessageSid", "")):
        sender = form.get("From", "").strip()
        if not sender:
            return twiml(TurnResult())
        inbound = Inbound("sms", sender, text=form.get("Body", ""), message_id=form.get("MessageSid") or None)
        return twiml(services().engine.handle(inbound))


@bp.post(twilio_cleanup.REPLY_STATUS)
@twilio_signed
def reply_status() -> Response:
    """Twilio reporting on a reply it sent for us: its copy is owed for deletion (bot/twilio_cleanup.py)."""
    with twilio_cleanup.deleted_afterwards(request.form.get("MessageSid", "")):
        return Response(status=204)
