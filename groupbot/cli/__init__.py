"""The `groupbot` command line: typer commands that call the layers below, one-line errors."""

from __future__ import annotations

from groupbot.cli.app import app, main

__all__ = ["app", "main"]
