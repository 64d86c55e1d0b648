"""Implementations of the application's ports. Only bootstrap and the public facade
modules import from here."""
