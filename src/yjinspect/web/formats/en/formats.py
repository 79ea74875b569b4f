"""British English: day before month, as people in England and Wales write dates."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

from yjinspect.web.formats import DAY_FIRST_DATES, DAY_FIRST_DATETIMES

DATE_INPUT_FORMATS = [*DAY_FIRST_DATES, "%d %B %Y", "%d %b %Y"]
DATETIME_INPUT_FORMATS = DAY_FIRST_DATETIMES
