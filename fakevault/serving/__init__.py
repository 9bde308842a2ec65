"""Serving the fake: durable state, the hardened server, its lifecycle."""
