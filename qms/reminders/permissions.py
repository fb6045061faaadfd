"""Who may see the reminder sweeps (anyone has their own inbox)."""

from qms.auth.models import Role
from qms.auth.permissions import has_any, rule

rule("reminders.admin", "Only an administrator or a quality officer can see the reminder sweeps.")(
    has_any(Role.admin, Role.quality_officer)
)
rule("reminders.run", "Only an administrator or a quality officer can run a reminder sweep.")(
    has_any(Role.admin, Role.quality_officer)
)
