"""rasa-sdk custom actions; importable by the stock action server (`python -m rasa_sdk --actions bot.actions`)."""

from bot.actions.answer import ActionAnswerEnquiry

__all__ = ["ActionAnswerEnquiry"]
