"""Quality objectives (ISO 9001:2015 6.2) and the indicators that measure them (9.1)."""
