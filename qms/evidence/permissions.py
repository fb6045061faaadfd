"""Who may see the certification evidence pack and who may export it."""

from __future__ import annotations

from qms.auth.models import Role
from qms.auth.permissions import has_any, rule

rule(
    "evidence.read",
    "Only a quality officer, an auditor or an administrator can see the certification evidence.",
)(has_any(Role.quality_officer, Role.auditor, Role.admin))
rule(
    "evidence.export",
    "Only a quality officer or an administrator can export the certification evidence pack.",
)(has_any(Role.quality_officer, Role.admin))
