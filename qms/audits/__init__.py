"""Internal audits (ISO 9001:2015 clause 9.2): programme, audits, checklists, findings, report."""
