"""The project's date formats (issue 12: one format everywhere, per language).

Tables and timelines use SHORT_DATE_FORMAT / SHORT_DATETIME_FORMAT: ISO order with a 24-hour
clock in both languages, so a date reads the same on every page. Sentences ("overdue since
…") use DATE_FORMAT, in each language's own words. Templates name the format
(``|date:"SHORT_DATE_FORMAT"``), never a pattern, so a new language only adds a module here.
"""
