"""Welsh: Django's own formats, with ISO dates (a browser's date field) accepted first."""

from django.conf.locale.cy.formats import *  # noqa: F403

from yjinspect.web.formats import DAY_FIRST_DATES, DAY_FIRST_DATETIMES

DATE_INPUT_FORMATS = DAY_FIRST_DATES
DATETIME_INPUT_FORMATS = DAY_FIRST_DATETIMES
