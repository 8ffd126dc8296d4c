"""The domain and its storage, framework-free: no Flask, Twilio or rasa imports here."""
