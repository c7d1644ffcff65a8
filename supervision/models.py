"""The supervision group's own records (P5.1 inspections, P5.2 the annual report) live here.

Service cases moved to ``partners.cases`` and satisfaction surveys to ``evaluations.surveys``;
their tables moved with them (see the migrations of those apps).
"""
