"""PDF records rendered from the templates in templates/pdf/."""
