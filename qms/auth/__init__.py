"""Users, roles, departments, passwords, sessions, tokens and permissions."""
