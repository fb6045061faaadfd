"""The documented information ISO 9001:2015 requires, clause by clause, and which records of
this system satisfy each requirement: the one table the page, the export and the tests read."""

from __future__ import annotations

from dataclasses import dataclass

from qms.i18n import N_

MAINTAIN, RETAIN, KEPT = "maintain", "retain", "kept"
KIND_LABELS = {
    # "Maintain documented information" (documents kept up to date) and "retain documented
    # information" (records kept as evidence), as the standard words them.
    MAINTAIN: N_("Maintained documented information"),
    RETAIN: N_("Retained documented information"),
    KEPT: N_("Not required as documented information; kept by this system"),
}


@dataclass(frozen=True)
class Requirement:
    clause: str
    title: str  # msgid: what the standard asks for
    kind: str  # MAINTAIN, RETAIN or KEPT
    # Documents in force of these kinds satisfy it (qms.documents.states.Kind values) …
    document_kinds: tuple[str, ...] = ()
    # … and documents in force addressing one of these clauses (or a sub-clause of it).
    document_clauses: tuple[str, ...] = ()
    # Records offered by the domains' evidence() functions under these source keys.
    sources: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        """Whether holding nothing for it is a gap."""
        return self.kind != KEPT


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "4.3", N_("The scope of the quality management system"), MAINTAIN, document_kinds=("scope",)
    ),
    Requirement(
        "4.4",
        N_("Documented information to support the operation of the processes"),
        MAINTAIN,
        document_kinds=("manual", "procedure", "work_instruction", "form"),
        sources=("documents.review",),
    ),
    Requirement("5.2", N_("The quality policy"), MAINTAIN, document_kinds=("quality_policy",)),
    Requirement(
        "6.1",
        N_("Actions to address risks and opportunities"),
        KEPT,
        document_clauses=("6.1",),
        sources=("risks",),
    ),
    Requirement(
        "6.2",
        N_("The quality objectives"),
        MAINTAIN,
        document_clauses=("6.2",),
        sources=("objectives",),
    ),
    Requirement(
        "7.1.5",
        N_("Fitness of monitoring and measuring resources, and the basis of calibration"),
        RETAIN,
        document_clauses=("7.1.5",),
    ),
    Requirement("7.2", N_("Evidence of competence"), RETAIN, document_clauses=("7.2",)),
    Requirement(
        "8.1",
        N_("Confidence that the processes have been carried out as planned"),
        RETAIN,
        document_clauses=("8.1",),
    ),
    Requirement(
        "8.2.3",
        N_("The review of the requirements for products and services"),
        RETAIN,
        document_clauses=("8.2.3",),
    ),
    Requirement(
        "8.3",
        N_("Design and development: planning, inputs, controls, outputs and changes"),
        RETAIN,
        document_clauses=("8.3",),
    ),
    Requirement(
        "8.4",
        N_("The evaluation, selection and monitoring of external providers"),
        RETAIN,
        document_clauses=("8.4",),
        sources=("nonconformities.supplier",),
    ),
    Requirement(
        "8.5.2",
        N_("Unique identification of outputs, where traceability is a requirement"),
        RETAIN,
        document_clauses=("8.5.2",),
    ),
    Requirement(
        "8.5.3",
        N_("Property of customers or external providers that is lost, damaged or unsuitable"),
        RETAIN,
        document_clauses=("8.5.3",),
    ),
    Requirement(
        "8.5.6", N_("The review and control of changes"), RETAIN, document_clauses=("8.5.6",)
    ),
    Requirement(
        "8.6",
        N_("The release of products and services, and who authorised it"),
        RETAIN,
        document_clauses=("8.6",),
    ),
    Requirement(
        "8.7",
        N_("Nonconforming outputs and the actions taken on them"),
        RETAIN,
        document_clauses=("8.7",),
        sources=("nonconformities.outputs",),
    ),
    Requirement(
        "9.1",
        N_("The results of monitoring, measurement, analysis and evaluation"),
        RETAIN,
        document_clauses=("9.1",),
        sources=("objectives.measurements",),
    ),
    Requirement(
        "9.2",
        N_("The audit programme and the audit results"),
        RETAIN,
        sources=("audits.programme", "audits.reported"),
    ),
    Requirement("9.3", N_("The results of management reviews"), RETAIN, sources=("reviews",)),
    Requirement(
        "10.2",
        N_("Nonconformities, the actions taken and the results of corrective actions"),
        RETAIN,
        sources=("nonconformities",),
    ),
)


def clause_matches(clause: str, wanted: tuple[str, ...]) -> bool:
    """Whether a document's clause is one of `wanted` or a sub-clause of one (8.7.1 → 8.7)."""
    return any(clause == w or clause.startswith(w + ".") for w in wanted)


# What each source's records are, for the links to the registers.
SOURCE_LABELS = {
    "documents": N_("Documents in force"),
    "documents.review": N_("Documents in force"),
    "audits.programme": N_("Audit programme"),
    "audits.reported": N_("Internal audits reported in the period"),
    "nonconformities": N_("Nonconformities raised in the period"),
    "nonconformities.supplier": N_("Nonconformities of external providers"),
    "nonconformities.outputs": N_("Nonconformities from customer complaints"),
    "objectives": N_("Quality objectives"),
    "objectives.measurements": N_("Measurements of the period"),
    "risks": N_("Risks and opportunities"),
    "reviews": N_("Management reviews"),
}
