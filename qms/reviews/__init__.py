"""Management review (ISO 9001:2015 9.3): meetings, their compiled inputs and their outputs."""
