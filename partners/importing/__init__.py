"""Importing partners, contacts, interactions and tags from CSV or XLSX (issue #14).

upload → ``files.read_table`` (encoding, limits, formulas, columns) → an ``ImportJob`` →
``services.import_job_preview`` (a dry run: each row new / update / unchanged / error) →
the user confirms → ``services.import_job_apply`` (one transaction; bad rows skipped only
when asked). Large files run both steps in a Celery task (``partners.tasks``).
"""
