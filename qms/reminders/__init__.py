"""Reminders: daily sweeps that find what is due, an in-app inbox and e-mail digests."""
