"""`python -m qms` is the `qms` command."""

from qms.cli import app

app()
