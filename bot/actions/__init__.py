"""rasa-sdk custom actions; importable by the stock action server (`python -m rasa_sdk --actions bot.actions`)."""

from bot.actions.answer import ActionAnswerEnquiry
from bot.actions.intake_form import ValidateIntakeForm

__all__ = ["ActionAnswerEnquiry", "ValidateIntakeForm"]
