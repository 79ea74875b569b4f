"""Welsh wording for the strings the report takes from the framework and the engine.

The report's own fixed strings are in the message catalogue (`web/locale/cy`); the framework's
standard names, statements, key questions, lens and domain labels and rating labels come from
its YAML, and the engine words its not-rated reasons, so their Welsh lives here. Used only when
the report is rendered in Welsh (`framework_text` is passed to `build_report`). Covers
hmip-youth-2021; anything not listed is shown as it is.
"""

from __future__ import annotations

import re

TEXT: dict[str, str] = {
    # ratings
    "Outstanding": "Rhagorol",
    "Good": "Da",
    "Requires improvement": "Angen gwella",
    "Inadequate": "Annigonol",
    "Not rated": "Heb ei graddio",
    "n/a": "amh.",
    # lenses
    "Desistance": "Ymatal rhag troseddu",
    "Keeping the child safe": "Cadw'r plentyn yn ddiogel",
    "Keeping other people safe": "Cadw pobl eraill yn ddiogel",
    # case domains (labels and the ids the case list uses) and domains
    "Court disposals": "Gwarediadau llys",
    "Out-of-court disposals": "Gwarediadau y tu allan i'r llys",
    "Resettlement": "Adsefydlu",
    "court": "llys",
    "out_of_court": "y tu allan i'r llys",
    "resettlement": "adsefydlu",
    "Organisational delivery": "Cyflawni sefydliadol",
    # standards
    "Governance and leadership": "Llywodraethu ac arweinyddiaeth",
    "Staff": "Staff",
    "Partnerships and services": "Partneriaethau a gwasanaethau",
    "Information and facilities": "Gwybodaeth a chyfleusterau",
    "Assessment": "Asesu",
    "Planning": "Cynllunio",
    "Implementation and delivery": "Gweithredu a chyflawni",
    "Reviewing": "Adolygu",
    "Out-of-court disposal policy and provision": (
        "Polisi a darpariaeth gwarediadau y tu allan i'r llys"
    ),
    "Resettlement policy and provision": "Polisi a darpariaeth adsefydlu",
    # standard statements
    "The governance and leadership of the YJS supports and promotes the delivery of a "
    "high-quality, personalised and responsive service for all children.": (
        "Mae llywodraethu ac arweinyddiaeth y gwasanaeth cyfiawnder ieuenctid yn cefnogi ac yn "
        "hyrwyddo darparu gwasanaeth o ansawdd uchel, personol ac ymatebol i bob plentyn."
    ),
    "Staff within the YJS are empowered to deliver a high-quality, personalised and "
    "responsive service for all children.": (
        "Mae staff y gwasanaeth cyfiawnder ieuenctid wedi'u grymuso i ddarparu gwasanaeth o "
        "ansawdd uchel, personol ac ymatebol i bob plentyn."
    ),
    "A comprehensive range of high-quality services is in place, enabling personalised and "
    "responsive provision for all children.": (
        "Mae ystod gynhwysfawr o wasanaethau o ansawdd uchel ar waith, sy'n galluogi darpariaeth "
        "bersonol ac ymatebol i bob plentyn."
    ),
    "Timely and relevant information is available and appropriate facilities are in place to "
    "support a high-quality, personalised and responsive approach for all children.": (
        "Mae gwybodaeth amserol a pherthnasol ar gael ac mae cyfleusterau priodol ar waith i "
        "gefnogi dull o ansawdd uchel, personol ac ymatebol i bob plentyn."
    ),
    "Assessment is well-informed, analytical and personalised, actively involving the child "
    "and their parents or carers.": (
        "Mae'r asesu'n wybodus, yn ddadansoddol ac yn bersonol, gan gynnwys y plentyn a'i rieni "
        "neu ofalwyr yn weithredol."
    ),
    "Planning is well-informed, holistic and personalised, actively involving the child and "
    "their parents or carers.": (
        "Mae'r cynllunio'n wybodus, yn gyfannol ac yn bersonol, gan gynnwys y plentyn a'i rieni "
        "neu ofalwyr yn weithredol."
    ),
    "Planning is well-informed, analytical and personalised, actively involving the child "
    "and their parents or carers.": (
        "Mae'r cynllunio'n wybodus, yn ddadansoddol ac yn bersonol, gan gynnwys y plentyn a'i "
        "rieni neu ofalwyr yn weithredol."
    ),
    "High-quality, well-focused, personalised and coordinated services are delivered, "
    "engaging and assisting the child.": (
        "Darperir gwasanaethau o ansawdd uchel, â ffocws da, personol a chydgysylltiedig, sy'n "
        "ennyn ymgysylltiad y plentyn ac yn ei gynorthwyo."
    ),
    "Reviewing of progress is well-informed, analytical and personalised, actively involving "
    "the child and their parents or carers.": (
        "Mae'r adolygu ar gynnydd yn wybodus, yn ddadansoddol ac yn bersonol, gan gynnwys y "
        "plentyn a'i rieni neu ofalwyr yn weithredol."
    ),
    "There is a high-quality, evidence-based out-of-court disposal service in place that "
    "promotes diversion and supports sustainable desistance.": (
        "Mae gwasanaeth gwarediadau y tu allan i'r llys o ansawdd uchel, sy'n seiliedig ar "
        "dystiolaeth, ar waith sy'n hyrwyddo dargyfeirio ac yn cefnogi ymatal cynaliadwy rhag "
        "troseddu."
    ),
    "There is a high-quality, evidence-based resettlement service for children, leaving custody.": (
        "Mae gwasanaeth adsefydlu o ansawdd uchel, sy'n seiliedig ar dystiolaeth, ar gael i "
        "blant sy'n gadael y ddalfa."
    ),
    # key questions
    "Does assessment sufficiently analyse how to support the child's desistance?": (
        "A yw'r asesu'n dadansoddi'n ddigonol sut i gefnogi'r plentyn i ymatal rhag troseddu?"
    ),
    "Does assessment sufficiently analyse how to keep the child safe?": (
        "A yw'r asesu'n dadansoddi'n ddigonol sut i gadw'r plentyn yn ddiogel?"
    ),
    "Does assessment sufficiently analyse how to keep other people safe?": (
        "A yw'r asesu'n dadansoddi'n ddigonol sut i gadw pobl eraill yn ddiogel?"
    ),
    "Does planning focus sufficiently on supporting the child's desistance?": (
        "A yw'r cynllunio'n canolbwyntio'n ddigonol ar gefnogi'r plentyn i ymatal rhag troseddu?"
    ),
    "Does planning focus on supporting the child's desistance?": (
        "A yw'r cynllunio'n canolbwyntio ar gefnogi'r plentyn i ymatal rhag troseddu?"
    ),
    "Does planning focus sufficiently on keeping the child safe?": (
        "A yw'r cynllunio'n canolbwyntio'n ddigonol ar gadw'r plentyn yn ddiogel?"
    ),
    "Does planning focus sufficiently on keeping other people safe?": (
        "A yw'r cynllunio'n canolbwyntio'n ddigonol ar gadw pobl eraill yn ddiogel?"
    ),
    "Does the implementation and delivery of services effectively support the child's "
    "desistance?": (
        "A yw gweithredu a chyflawni gwasanaethau'n cefnogi'r plentyn yn effeithiol i ymatal "
        "rhag troseddu?"
    ),
    "Does the implementation and delivery of services effectively support the safety of the "
    "child?": (
        "A yw gweithredu a chyflawni gwasanaethau'n cefnogi diogelwch y plentyn yn effeithiol?"
    ),
    "Does the implementation and delivery of services effectively support the safety of other "
    "people?": (
        "A yw gweithredu a chyflawni gwasanaethau'n cefnogi diogelwch pobl eraill yn effeithiol?"
    ),
    "Does reviewing focus sufficiently on supporting the child's desistance?": (
        "A yw'r adolygu'n canolbwyntio'n ddigonol ar gefnogi'r plentyn i ymatal rhag troseddu?"
    ),
    "Does reviewing focus sufficiently on keeping the child safe?": (
        "A yw'r adolygu'n canolbwyntio'n ddigonol ar gadw'r plentyn yn ddiogel?"
    ),
    "Does reviewing focus sufficiently on keeping other people safe?": (
        "A yw'r adolygu'n canolbwyntio'n ddigonol ar gadw pobl eraill yn ddiogel?"
    ),
    "Does service delivery effectively support the child's desistance?": (
        "A yw'r gwasanaethau a ddarperir yn cefnogi'r plentyn yn effeithiol i ymatal rhag troseddu?"
    ),
    "Does service delivery effectively support the safety of the child?": (
        "A yw'r gwasanaethau a ddarperir yn cefnogi diogelwch y plentyn yn effeithiol?"
    ),
    "Does service delivery effectively support the safety of other people?": (
        "A yw'r gwasanaethau a ddarperir yn cefnogi diogelwch pobl eraill yn effeithiol?"
    ),
    # the engine's not-rated reasons
    "no applicable answers to its key questions yet": (
        "dim atebion perthnasol i'w gwestiynau allweddol eto"
    ),
    "no judgement recorded yet": "dim barn wedi'i chofnodi eto",
    "recorded as not rated": "wedi'i chofnodi fel heb ei graddio",
    # common disposal types on case lists
    "Referral order": "Gorchymyn atgyfeirio",
    "Youth rehabilitation order": "Gorchymyn adsefydlu ieuenctid",
    "Detention and training order": "Gorchymyn cadw a hyfforddi",
    "Youth caution": "Rhybudd ieuenctid",
    "Youth conditional caution": "Rhybudd ieuenctid amodol",
    "Community resolution": "Datrysiad cymunedol",
}

_NO_CASES = re.compile(r"no (?P<label>.+) cases in the inspection timescale")


def framework_text(text: str) -> str:
    """The Welsh for a framework or engine string; the string itself when there is none."""
    if text in TEXT:
        return TEXT[text]
    match = _NO_CASES.fullmatch(text)
    if match:
        label = match["label"]
        welsh = next((cy for en, cy in TEXT.items() if en.lower() == label), label)
        return f"dim achosion {welsh.lower()} yn amserlen yr arolygiad"
    return text
