"""The demo inspection's report words: foreword, background, involvement, a narrative for each
standard, recommendations and practice examples.

All of it is invented for the fictitious Demoshire Youth Justice Service, written for this
project, and describes no real service, person or child. The wording is kept general enough to
fit the demo's ratings (2.4 Requires improvement, keeping other people safe the weak spot; 3.1
strong; the rest Good; resettlement not rated) whatever the seed. Plain-text markup: a blank
line between paragraphs, "- " for bullet points, "[^...]" for a footnote (as seed 004 explains
Outcome 22 in a recommendation and the national referral mechanism in its findings).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

FOREWORD = """\
This inspection looked at the work of Demoshire Youth Justice Service: how the service is led \
and organised, the children it supervises after a court sentence, and the children it works with \
through out-of-court disposals. Resettlement was not rated, because no child was sentenced to \
custody or released from it in the period we looked at.

Demoshire is a service that knows its children. Case managers build trusting relationships, \
assessments draw on a wide range of information, and the help offered to children is shaped \
around their interests and needs. Work with children who receive out-of-court disposals is \
particularly strong, and the partnership behind it is committed and well organised.

The service now needs to bring its work to keep other people safe up to the standard of the rest \
of its practice. Reviews of court cases did not always respond when the risk a child posed to \
others changed, and plans did not always say what would happen if things went wrong. The \
recommendations in this report are intended to help the board and the service make that change.

We are grateful to the children, parents and carers who spoke to us, and to the staff and \
partners who gave their time during the inspection."""

BACKGROUND = """\
Demoshire is a largely rural county with two market towns, where most of the children known to \
the service live. Around one in ten residents are aged 10 to 17. The service sits within the \
council's children's services directorate and is led by a head of service who reports to the \
director of children's services.

The service has two teams: one works with children sentenced by the courts and the other with \
children who receive out-of-court disposals, prevention and diversion. Seconded staff include \
a police officer, a probation officer, a speech and language therapist, a nurse and an \
education worker.

More children enter the youth justice system for the first time here than across England \
and Wales as a whole, and the board has asked the service to find out why. Very few children \
are sentenced to custody, though a little more than nationally; reoffending, though lower \
than two years ago, is still above the national figure."""

INVOLVEMENT = """\
The service asks every child for their views at the start and end of their work with it, and \
uses what they say. A group of children helped to redesign the leaflets that explain a referral \
order, and their suggestions changed how first appointments are arranged.

Parents and carers we spoke to described staff as approachable and honest. Several said the \
service had helped them to understand their child's needs better.

- 14 children and 9 parents or carers answered our text survey
- most said they were treated fairly and listened to
- a few parents said they would like more notice of changes to appointments"""

DIVERSITY = """\
- The board looks at who comes into the service by ethnicity, sex and need every quarter, and \
asks partners to explain any group that is over-represented
- Staff are confident talking with children about identity and experiences of discrimination; \
plans often showed how sessions were adapted for a child's culture or neurodiversity
- Girls in the service said they would like more work designed with them in mind; the service \
has started a group with a local charity
- The workforce is less diverse than the children it serves, and recruitment is beginning to \
address this"""

STANDARDS: Mapping[str, str] = {
    "1.1": """\
The management board is well attended and its members understand the service's priorities. \
Partners hold one another to account, and the board has started to hear directly from children \
about their experience of the service.

The board's work on disproportionality is at an early stage. Its reports describe who the \
service works with but do not yet show whether outcomes differ between groups of children.""",
    "1.2": """\
Staff are positive about working in the service. Caseloads allow time to build relationships \
with children, supervision is regular, and training on exploitation and trauma has improved \
practice. Managers do not always record their oversight of decisions about risk of harm.""",
    "1.3": """\
The service understands the needs of its children and has a good range of services to meet them. \
Speech and language screening is routine, and the reparation offer gives children meaningful \
ways to put things right. Children wait too long for mental health assessments.""",
    "1.4": """\
Policies and guidance are up to date and easy for staff to find. Performance information is \
produced regularly and used in team meetings. Quality assurance does not yet look closely enough \
at work to keep other people safe.""",
    "2.1": """\
Assessments were thorough. Case managers drew on information from education, health and \
children's social care, and recorded the child's own account of their offending and of what \
would help them to stop.

Assessment of the child's safety was mostly good, with exploitation recognised early: case \
managers referred children they thought were being exploited to the national referral \
mechanism[^The national process for recognising possible victims of modern slavery, including \
children exploited to commit crime, and making sure they get help.] without delay. Where \
assessment was weaker, earlier incidents recorded by the police had not been used to understand \
the risk to other people.""",
    "2.2": """\
Plans were personal to the child and written with them and their parents or carers. They built \
on children's strengths and interests.

Planning to keep the child safe was coordinated with other agencies. Contingency plans were too \
often general: they did not say what would be done, or by whom, if the risk to others increased.""",
    "2.3": """\
Children received the help set out in their plans, and case managers adapted their approach to \
children's communication needs. Work with other agencies to keep children safe was well \
coordinated, and victims' wishes were usually taken into account.""",
    "2.4": """\
Reviews were completed when they were due but did not always follow a significant change in a \
child's life or behaviour.

- reviews of the child's desistance and safety were mostly sufficient
- in too many cases, new information about a risk to others did not lead to a review of the plan
- managers' oversight of reviews was not always evident in the records""",
    "3.1": """\
Assessment of children receiving out-of-court disposals was a strength. Case managers took time \
to understand the child's circumstances and involved parents and carers closely. Risks to the \
child and to others were analysed in proportion to the disposal.""",
    "3.2": """\
Plans were proportionate and focused on what would help the child most in a short intervention. \
They reflected the child's views and the needs of victims, and set out clear steps to keep the \
child safe.""",
    "3.3": """\
Children were offered the same range of interventions as children sentenced in court. Work was \
delivered promptly and creatively, and children were supported to move on to universal services \
when their disposal ended.""",
    "3.4": """\
The out-of-court disposal policy is clear and well understood. The joint decision-making panel \
is well attended, and its decisions put the child first while taking account of victims. \
Follow-up of community resolutions given on the street is not yet consistent.""",
    "4.1": """\
No child was sentenced to custody or released from it in the period we looked at. The service \
has a resettlement policy, agreed with its partners, ready for when it is needed.""",
}

# (addressed to, recommendation): grouped by the body in the report, numbered in this order.
RECOMMENDATIONS: Sequence[tuple[str, str]] = (
    (
        "The Demoshire Youth Justice Management Board",
        "analyse outcomes for children from over-represented groups and use the findings to set "
        "and monitor a strategy to reduce disproportionality",
    ),
    (
        "The Demoshire Youth Justice Management Board",
        "work with health partners to shorten the wait for children's mental health assessments",
    ),
    (
        "Demoshire Youth Justice Service",
        "make sure that plans say what will be done, and by whom, if the risk a child poses to "
        "other people increases",
    ),
    (
        "Demoshire Youth Justice Service",
        "review cases promptly when new information about a risk to other people is received, "
        "and record managers' oversight of those reviews",
    ),
    (
        "Demoshire Police",
        "agree with the service how children given a community resolution on the street[^A "
        "community resolution settles a minor offence informally, without a caution or a "
        "charge; on the street, an officer gives it there and then.] are followed up and "
        "offered support",
    ),
)

# Notes of practice examples, by case domain. The names in them are invented.
PRACTICE_EXAMPLES: Mapping[str, Sequence[str]] = {
    "court": (
        "Sam had stopped going to school and was spending time with older young people who were "
        "known to the police. The case manager used Sam's interest in football to rebuild a "
        "routine, working with a sports mentor and the school. Within three months Sam was "
        "attending most lessons and had joined a local club.",
        "Jordan found it hard to follow conversations. After a speech and language assessment, "
        "the case manager used pictures and short sessions, and checked Jordan's understanding "
        "at the end of each meeting. Jordan completed the order and said it was the first time "
        "an adult had explained things in a way that made sense.",
    ),
    "out_of_court": (
        "Alex received a youth caution after damaging a neighbour's fence. The case manager "
        "arranged, with the neighbour's agreement, for Alex to help repair it, and worked with "
        "Alex's parent on managing arguments at home. The neighbour said they were glad to have "
        "met Alex and been part of putting things right.",
    ),
}
