"""Werkzeug WSGI fake of Vault's HTTP API over a Simulator."""
