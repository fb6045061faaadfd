"""Document control (ISO 9001:2015 clause 7.5): controlled documents, their revisions and sign-offs."""
