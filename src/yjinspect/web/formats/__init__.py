"""Date and number formats for the app's two languages (FORMAT_MODULE_PATH in settings).

The app's English is British English, but Django's "en" formats are American: without these,
a date typed as 04/11/2026 is read as 11 April. Each module takes Django's British or Welsh
formats and puts ISO dates (what a browser's date field sends) first.
"""

DAY_FIRST_DATES = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DAY_FIRST_DATETIMES = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
]
