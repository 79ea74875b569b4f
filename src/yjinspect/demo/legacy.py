"""A fictitious short quality screening (SQS) for demonstrations and tests: 'Demoshire 2015'.

Fourteen cases are read, as in the smallest published SQS letters, with answers fixed per
question (not random) so that the letter's counts are known in advance: for example the risk
of harm to others was understood well enough in 9 of the 14 cases, and pre-sentence reports
were good enough in nine out of ten relevant cases. Everything here is invented: the service, the
case references, the case managers' codes, the rates and the words. Pure Python, no Django.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from yjinspect.frameworks.schema import Framework

SERVICE_NAME = "Demoshire YOT"
FIELDWORK_START = dt.date(2015, 6, 8)
FIELDWORK_END = dt.date(2015, 6, 10)
SAMPLED = 14  # cases started inside the framework's window: the whole of them is read
OLDER = 9  # cases started too long before fieldwork: on the list, never sampled
INTERVIEWED = 8  # case managers interviewed (the operational management questions)

# Per question: (yes, no, not applicable) over the 14 cases. Not-applicable answers go to the
# last cases, so the four cases without a pre-sentence report (RR-01 'no') are the ones for
# which the report questions do not apply. Recorded questions give cases per option.
SCORED: Mapping[str, tuple[int, int, int]] = {
    "RR-02": (9, 1, 4),
    "RR-03": (8, 2, 4),
    "RR-04": (5, 2, 7),
    "RR-05": (12, 2, 0),
    "RR-06": (6, 5, 3),
    "RR-07": (11, 3, 0),
    "RR-08": (7, 3, 4),
    "RR-09": (2, 4, 8),
    "RR-10": (9, 5, 0),
    "PP-01": (9, 5, 0),
    "PP-03": (8, 4, 2),
    "PP-04": (9, 2, 3),
    "PP-05": (8, 2, 4),
    "PP-06": (6, 1, 7),
    "PP-07": (7, 5, 2),
    "PP-08": (1, 0, 13),
    "PC-01": (11, 3, 0),
    "PC-03": (8, 5, 1),
    "PC-04": (12, 2, 0),
    "PC-05": (9, 2, 3),
    "PC-06": (8, 1, 5),
    "PC-07": (10, 2, 2),
    "SS-01": (12, 2, 0),
    "SS-02": (11, 3, 0),
    "SS-03": (13, 1, 0),
    "SS-04": (7, 4, 3),
    "SS-05": (11, 1, 2),
    "SS-06": (4, 0, 10),
}
RECORDED: Mapping[str, Mapping[str, int]] = {
    "RR-01": {"yes": 10, "no": 4},
    "PP-02": {"accurate": 12, "under": 2},
    "PC-02": {"accurate": 11, "under": 3},
    "SS-07": {"yes": 10, "no": 4},
}
# Asked of the eight case managers interviewed: (yes, no).
INTERVIEW: Mapping[str, tuple[int, int]] = {
    "OM-01": (8, 0),
    "OM-02": (7, 1),
    "OM-03": (7, 1),
    "OM-04": (6, 2),
    "OM-05": (7, 1),
    "OM-06": (5, 3),
    "OM-07": (8, 0),
}

# The letter's facts (invented) and words (written for this demo; '{ID}' prints a count).
FACTS: Mapping[str, str] = {
    "letter:addressee": "Chair of the Demoshire YOT Management Board",
    "letter:sender": "Assistant Chief Inspector (Youth Justice)",
    "letter:publication_date": "2015-07-03",
    "letter:reoffending_rate": "30.2",
    "letter:previous_rate": "32.5",
    "letter:average_rate": "35.9",
    "letter:cohort_footnote": (
        "Proven reoffending within 12 months (binary measure) for the April 2012 to March 2013 "
        "cohort, as published by the Ministry of Justice in January 2015."
    ),
}
TEXTS: Mapping[str, str] = {
    "summary": (
        "Demoshire YOT had moved forward well since its previous inspection. Staff knew the "
        "children they supervised, used partner agencies well, and weighed the safety of the "
        "public against each child's own safety and well-being with care."
    ),
    "area:RR": (
        "Case managers took time to understand why each child had offended, and the first "
        "assessment was good enough in {RR-05} we looked at. Reports for the court were good "
        "enough in {RR-02}, with clear, realistic proposals.\n\n"
        "Assessments were not always brought up to date after a change in a child's life: "
        "reviews were good enough in {RR-06}."
    ),
    "area:PP": (
        "Case managers understood and explained the risk of harm to others well enough in "
        "{PP-01} we looked at. Where they did not, earlier violence or the likely effect on "
        "victims had been missed, and in two cases the level of risk was set too low.\n\n"
        "Managers' oversight made risk-of-harm work good enough in {PP-07}."
    ),
    "area:PC": (
        "The first assessment of safety and vulnerability was good enough in {PC-01}. Reviews "
        "were less reliable: they were good enough in {PC-03}.\n\n"
        "Work with children's social care was good enough in {PC-06}."
    ),
    "area:SS": (
        "Children and their parents or carers took enough part in the assessment in {SS-01}, "
        "and in planning in {SS-02}. Barriers to engagement were considered in {SS-03}."
    ),
    "area:OM": (
        "Case managers spoke well of their managers: {OM-03} said supervision was good and "
        "their managers were skilled. Fewer found management oversight of their risk and "
        "safeguarding work useful ({OM-06})."
    ),
    "strengths": (
        "- Case managers understood why the children they supervised had offended\n"
        "- Reports for the court were clear and proposed realistic sentences\n"
        "- Children and their families were involved in assessment and planning"
    ),
    "improvements": (
        "- Assessments of the risk of harm to others must take account of earlier violence "
        "and of victims\n"
        "- Assessments and plans must be reviewed after a significant change in a child's life\n"
        "- Management oversight must find and correct gaps in risk-of-harm work"
    ),
}


@dataclass(frozen=True)
class DemoCase:
    case_ref: str
    start_date: dt.date
    case_manager: str  # a code, never a name
    disposal_type: str
    risk_of_harm: str
    safety_wellbeing: str
    sex: str
    in_window: bool
    interviewed: bool


def demo_cases() -> list[DemoCase]:
    """The case list: 14 cases started 7 to 14 weeks before fieldwork, 9 started earlier."""
    cases = []
    for i in range(SAMPLED + OLDER):
        in_window = i < SAMPLED
        weeks_before = 7 + (i % 7) if in_window else 30 + i
        cases.append(
            DemoCase(
                case_ref=f"DS15-{i + 1:03d}",
                start_date=FIELDWORK_START - dt.timedelta(weeks=weeks_before),
                case_manager=f"CM{i % 6 + 1}",
                disposal_type="referral_order" if i % 2 else "youth_rehabilitation_order",
                risk_of_harm=("low", "medium", "high")[i % 3],
                safety_wellbeing=("low", "medium", "high")[(i + 1) % 3],
                sex="female" if i % 4 == 0 else "male",
                in_window=in_window,
                interviewed=in_window and i < INTERVIEWED,
            )
        )
    return cases


def _spread(counts: Mapping[str, int], cases: int, offset: int) -> list[str]:
    """Answers for `cases` cases, in the order given, started `offset` places along."""
    order = [answer for answer, n in counts.items() for _ in range(n)]
    if len(order) != cases:
        raise ValueError(f"counts {dict(counts)} do not add up to {cases} cases")
    return order[-offset:] + order[:-offset] if offset else order


def demo_answers(framework: Framework, case_refs: list[str]) -> dict[str, dict[str, str]]:
    """Per sampled case (in sample order), per item, the answer: 'yes' / 'no' / 'na', or a
    recorded item's option. Yes answers are rotated between cases so that no case is all
    good or all bad, except that not-applicable answers stay with the last cases."""
    if len(case_refs) != SAMPLED:
        raise ValueError(f"the SQS demo reads {SAMPLED} cases, not {len(case_refs)}")
    answers: dict[str, dict[str, str]] = {ref: {} for ref in case_refs}
    for n, (item_id, (yes, no, na)) in enumerate(SCORED.items()):
        framework.item(item_id)  # a KeyError names an item the framework does not have
        applicable = _spread({"yes": yes, "no": no}, yes + no, n % max(1, yes + no))
        for ref, value in zip(case_refs, applicable + ["na"] * na, strict=True):
            answers[ref][item_id] = value
    for item_id, options in RECORDED.items():
        item = framework.item(item_id)
        unknown = set(options) - set(item.options)
        if unknown:
            raise ValueError(f"{item_id}: {sorted(unknown)[0]} is not one of its options")
        for ref, value in zip(case_refs, _spread(options, SAMPLED, 0), strict=True):
            answers[ref][item_id] = value
    interviewed = case_refs[:INTERVIEWED]
    for n, (item_id, (yes, no)) in enumerate(INTERVIEW.items()):
        framework.item(item_id)
        values = _spread({"yes": yes, "no": no}, INTERVIEWED, n % INTERVIEWED)
        for ref, value in zip(interviewed, values, strict=True):
            answers[ref][item_id] = value
    return answers
