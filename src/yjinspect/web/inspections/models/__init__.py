"""Models of an inspection, split by concept; import them from here."""

from .assessment import Answer, AnswerValue, Assessment, AssessmentKind, AssessmentState
from .cases import Case, CaseListImport, Replacement, SampleDraw
from .evidence import Discretion, EvidenceItem, EvidenceKind, Judgement
from .framework import FrameworkVersion
from .inspection import STATE_ORDER, Inspection, Membership, Mode, Role, State, StateTransition
from .narrative import Recommendation, ReportText
from .versioned import Versioned

__all__ = [
    "STATE_ORDER",
    "Answer",
    "AnswerValue",
    "Assessment",
    "AssessmentKind",
    "AssessmentState",
    "Case",
    "CaseListImport",
    "Discretion",
    "EvidenceItem",
    "EvidenceKind",
    "FrameworkVersion",
    "Inspection",
    "Judgement",
    "Membership",
    "Mode",
    "Recommendation",
    "Replacement",
    "ReportText",
    "Role",
    "SampleDraw",
    "State",
    "StateTransition",
    "Versioned",
]
