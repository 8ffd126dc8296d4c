"""Channel adapters: verify, parse into one Inbound, call the engine, render. No business rules here."""
