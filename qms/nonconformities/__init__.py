"""Nonconformities and corrective actions (ISO 9001:2015 clause 10.2)."""
