"""Risks and opportunities (ISO 9001:2015 6.1): the register, scoring, treatment, review."""
