"""Who may do what: every URL name × role × method.

The matrix must name every URL the project routes (Django's own admin aside, which has
its own permission system): add a URL without an entry here and
``test_every_url_has_a_matrix_entry`` fails.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from crm.calendar import calendar_token_for
from crm.models import Notification
from crm.services import api_token_create, corrective_action_raise
from evaluations.models import CorrectiveActionPlan, Incentive, ScorecardTemplate
from evaluations.services import evaluation_open
from evaluations.surveys.models import Survey, SurveyTemplate
from evaluations.surveys.services import invitation_token, survey_send
from partners.cases.services import case_open
from partners.customers.models import Campaign, CampaignRecipient, Gift, Greeting, Need
from partners.customers.services import token_hash, unsubscribe_token
from partners.models import ImportJob
from partners.partnerships.services import partnership_move
from tests.factories import ContactFactory, FollowUpFactory, InteractionFactory, PartnerFactory, UserFactory
from tests.inline_code import inline_code
from tests.shared_rows import module_rows

ROLES = ["anonymous", "outsider", "staff", "staff_other", "manager", "manager_other", "supervisor", "admin"]

OK, DENY, LOGIN, NOPE, MISSING, MOVED = "ok", "403", "login", "405", "404", "moved"
# The API's pages answer a missing sign-in with 401, not a redirect to the login page.
UNAUTHORIZED = "401"
# A probe answers whoever asks, signed in or not: 200 when ready, 503 when not (crm/health.py).
PROBE = "probe"
READERS = {"anonymous": LOGIN, "outsider": DENY, **{r: OK for r in ROLES[2:]}}
SIGNED_IN = {"anonymous": LOGIN, **{r: OK for r in ROLES[1:]}}
WRITERS = {**READERS, "supervisor": DENY}  # staff and managers of any department
OWN_DEPT = {**WRITERS, "staff_other": DENY, "manager_other": DENY}  # department's staff + managers
MANAGERS = {**OWN_DEPT, "staff": DENY}  # managers of the partner's department
SIGNED_IN_POST_ONLY_GET = {"anonymous": LOGIN, **{r: NOPE for r in ROLES[1:]}}
ADMIN_ONLY = {"anonymous": LOGIN, **{r: DENY for r in ROLES[1:]}, "admin": OK}
# A user's own record: others get 404 (they cannot even learn it exists).
OWNER_ONLY = {"anonymous": LOGIN, **{r: MISSING for r in ROLES[1:]}, "staff": OK}
# A scoring sheet: only its evaluator (staff here) and superusers write; everyone with a role reads.
SHEET_WRITERS = {**{r: DENY for r in ROLES}, "anonymous": LOGIN, "staff": OK, "admin": OK}
# GET on a POST-only write URL: roles that never write get 403, the others 405.
POST_ONLY_GET = {**{r: NOPE for r in ROLES}, "anonymous": LOGIN, "outsider": DENY, "supervisor": DENY}
# Campaigns are sent by managers of any department (P4.2.3).
CAMPAIGN_SENDERS = {**WRITERS, "staff": DENY, "staff_other": DENY}
PUBLIC = {r: OK for r in ROLES}
# A corrective action of Procurement: its staff owner, its managers, supervision and admins.
ACTION_READERS = {**READERS, "staff_other": MISSING, "manager_other": MISSING}
ACTION_POST_ONLY_GET = {**{r: NOPE for r in ROLES}, "anonymous": LOGIN, "outsider": DENY}
# The supervision group's own workspace (P5.1): plans, samples, grades, visits, findings.
SUPERVISORS = {"anonymous": LOGIN, **{r: DENY for r in ROLES[1:]}, "supervisor": OK, "admin": OK}
# Policy coverage: supervision (every department) and managers (their own department).
COVERAGE_READERS = {**SUPERVISORS, "manager": OK, "manager_other": OK}
# Imports (issue #14): managers of any department (each into their own) and admins; a job
# is seen by its importer (the manager here) and admins only: other importers get 404.
IMPORTERS = {**WRITERS, "staff": DENY, "staff_other": DENY}
IMPORT_JOB = {**IMPORTERS, "manager_other": MISSING}
IMPORT_POST_ONLY_GET = {**IMPORTERS, "manager": NOPE, "manager_other": NOPE, "admin": NOPE}

# An industry report routed to Procurement: its staff and manager read it and mark it read.
REPORT_READERS = {**{r: DENY for r in ROLES}, "anonymous": LOGIN, "staff": OK, "manager": OK}

# url name -> (kwargs builder, {method: expectations})
MATRIX: dict[str, tuple] = {
    "dashboard": (None, {"get": {**READERS}}),
    "profile": (None, {"get": SIGNED_IN, "post": SIGNED_IN}),
    # API tokens (crm/api.py): created by anyone with a role, revoked by their owner only.
    "api_token_create": (
        None,
        {"post": {**READERS}, "get": {"anonymous": LOGIN, "outsider": DENY, **{r: NOPE for r in ROLES[2:]}}},
    ),
    "api_token_revoke": (
        lambda o: {"pk": o["api_token"].pk},
        {"post": OWNER_ONLY, "get": SIGNED_IN_POST_ONLY_GET},
    ),
    # The OpenAPI schema and its documentation page: whoever may use the API (the API's own
    # routes have their matrix in tests/api/test_api_permissions_matrix.py).
    "api_schema": (None, {"get": {**READERS, "anonymous": UNAUTHORIZED}}),
    "api_docs": (None, {"get": {**READERS, "anonymous": UNAUTHORIZED}}),
    "login": (None, {"get": {r: OK for r in ROLES}}),
    # Signing out lands on the login page.
    "logout": (None, {"post": {r: LOGIN for r in ROLES}, "get": {r: NOPE for r in ROLES}}),
    "password_change": (None, {"get": SIGNED_IN, "post": SIGNED_IN}),
    "password_change_done": (None, {"get": SIGNED_IN}),
    "set_language": (None, {"post": {r: OK for r in ROLES}}),
    "notifications": (None, {"get": SIGNED_IN}),
    # Corrective actions (any source): listed for every role, each row as visible; an action
    # of Procurement owned by staff: other departments get 404 (they cannot learn it exists).
    "corrective_actions": (None, {"get": READERS}),
    "corrective_action_detail": (lambda o: {"pk": o["action"].pk}, {"get": ACTION_READERS}),
    "corrective_action_evidence": (lambda o: {"pk": o["action"].pk}, {"get": ACTION_READERS}),
    "corrective_action_respond": (
        lambda o: {"pk": o["action"].pk},
        {"post": {**ACTION_READERS, "supervisor": DENY}, "get": ACTION_POST_ONLY_GET},
    ),
    "corrective_action_verify": (
        lambda o: {"pk": o["action"].pk},
        {"post": {**ACTION_READERS, "staff": DENY, "manager": DENY}, "get": ACTION_POST_ONLY_GET},
    ),
    "corrective_action_cancel": (
        lambda o: {"pk": o["action"].pk},
        {"post": {**ACTION_READERS, "staff": DENY, "supervisor": DENY}, "get": ACTION_POST_ONLY_GET},
    ),
    # Supervision (P5.1): its workspace is its own; findings are read and answered by the
    # department they are addressed to (Procurement here); other departments get 404.
    "supervision:home": (None, {"get": SUPERVISORS}),
    "supervision:plan_list": (None, {"get": SUPERVISORS}),
    "supervision:plan_create": (None, {"get": SUPERVISORS, "post": SUPERVISORS}),
    "supervision:plan_detail": (lambda o: {"pk": o["plan"].pk}, {"get": SUPERVISORS}),
    "supervision:plan_edit": (lambda o: {"pk": o["plan"].pk}, {"get": SUPERVISORS, "post": SUPERVISORS}),
    "supervision:plan_checklist": (lambda o: {"pk": o["plan"].pk}, {"get": SUPERVISORS, "post": SUPERVISORS}),
    "supervision:plan_close": (lambda o: {"pk": o["plan"].pk}, {"post": SUPERVISORS, "get": ACTION_POST_ONLY_GET}),
    "supervision:sample_create": (lambda o: {"pk": o["plan"].pk}, {"get": SUPERVISORS, "post": SUPERVISORS}),
    "supervision:sample_detail": (lambda o: {"pk": o["sample"].pk}, {"get": SUPERVISORS}),
    "supervision:grade": (lambda o: {"pk": o["sample_item"].pk}, {"get": SUPERVISORS, "post": SUPERVISORS}),
    "supervision:visit_list": (None, {"get": SUPERVISORS}),
    "supervision:visit_create": (None, {"get": SUPERVISORS, "post": SUPERVISORS}),
    "supervision:finding_list": (None, {"get": READERS}),
    "supervision:coverage": (None, {"get": COVERAGE_READERS}),
    "supervision:coverage_measure": (lambda o: {"key": "followups_on_time"}, {"get": COVERAGE_READERS}),
    "supervision:coverage_targets": (None, {"get": SUPERVISORS}),
    "supervision:coverage_target_edit": (
        lambda o: {"key": o["coverage_target"].measure},
        {"get": SUPERVISORS, "post": SUPERVISORS},
    ),
    "supervision:finding_create": (None, {"get": SUPERVISORS, "post": SUPERVISORS}),
    "supervision:finding_detail": (lambda o: {"pk": o["finding"].pk}, {"get": ACTION_READERS}),
    "supervision:finding_respond": (
        lambda o: {"pk": o["finding"].pk},
        {"post": {**ACTION_READERS, "supervisor": DENY}, "get": ACTION_POST_ONLY_GET},
    ),
    "supervision:finding_close": (
        lambda o: {"pk": o["finding"].pk},
        {"post": SUPERVISORS, "get": ACTION_POST_ONLY_GET},
    ),
    "supervision:finding_action": (
        lambda o: {"pk": o["finding"].pk},
        {"post": SUPERVISORS, "get": ACTION_POST_ONLY_GET},
    ),
    # The annual report (P5.2): supervision writes; every role reads published versions.
    "supervision:report_list": (None, {"get": READERS}),
    "supervision:report_create": (None, {"post": SUPERVISORS, "get": ACTION_POST_ONLY_GET}),
    "supervision:report_detail": (lambda o: {"pk": o["published_report"].pk}, {"get": READERS}),
    "supervision:report_status": (lambda o: {"pk": o["draft_report"].pk}, {"get": SUPERVISORS}),
    "supervision:report_edit": (
        lambda o: {"pk": o["draft_report"].pk},
        {"post": SUPERVISORS, "get": ACTION_POST_ONLY_GET},
    ),
    "supervision:report_item_add": (
        lambda o: {"pk": o["draft_report"].pk},
        {"post": SUPERVISORS, "get": ACTION_POST_ONLY_GET},
    ),
    "supervision:report_item_remove": (
        lambda o: {"pk": o["report_item"].pk},
        {"post": SUPERVISORS, "get": ACTION_POST_ONLY_GET},
    ),
    **{
        f"supervision:report_{name}": (
            lambda o: {"pk": o["draft_report"].pk},
            {"post": SUPERVISORS, "get": ACTION_POST_ONLY_GET},
        )
        for name in ("generate", "submit", "return", "publish")
    },
    "supervision:report_correct": (
        lambda o: {"pk": o["published_report"].pk},
        {"get": SUPERVISORS, "post": SUPERVISORS},
    ),
    "supervision:report_download": (
        lambda o: {"pk": o["published_report"].pk, "kind": "xlsx"},
        {"get": READERS},
    ),
    "notification_read": (lambda o: {"pk": o["notification"].pk}, {"post": OWNER_ONLY, "get": SIGNED_IN_POST_ONLY_GET}),
    "notification_read_all": (None, {"post": SIGNED_IN, "get": SIGNED_IN_POST_ONLY_GET}),
    "calendar": (None, {"get": SIGNED_IN}),
    "calendar_rotate": (None, {"post": SIGNED_IN, "get": SIGNED_IN_POST_ONLY_GET}),
    # The feed is read by calendar apps that cannot sign in: the secret token is the key.
    "calendar_feed": (lambda o: {"token": o["calendar_token"]}, {"get": {r: OK for r in ROLES}}),
    "operations": (None, {"get": ADMIN_ONLY}),
    # Load balancers and monitors cannot sign in; the answer names no host and no reason.
    "healthz": (None, {"get": {r: PROBE for r in ROLES}, "post": {r: NOPE for r in ROLES}}),
    "readyz": (None, {"get": {r: PROBE for r in ROLES}, "post": {r: NOPE for r in ROLES}}),
    # Pages that moved out of /supervision/: a permanent redirect for everyone (the new page
    # then applies its own rules).
    "moved": (lambda o: {"rest": "cases/"}, {"get": {r: MOVED for r in ROLES}, "post": {r: MOVED for r in ROLES}}),
    "partners:list": (None, {"get": READERS}),
    "partners:export": (None, {"get": READERS}),
    "partners:family_list": (lambda o: {"family": "supplier"}, {"get": READERS}),
    "partners:family_export": (lambda o: {"family": "customer"}, {"get": READERS}),
    "partners:create": (lambda o: {"family": "supplier"}, {"get": WRITERS, "post": WRITERS}),
    "partners:detail": (lambda o: {"pk": o["partner"].pk}, {"get": READERS}),
    "partners:history": (lambda o: {"pk": o["partner"].pk}, {"get": READERS}),
    "partners:edit": (lambda o: {"pk": o["partner"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "partners:archive": (lambda o: {"pk": o["partner"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "partners:restore": (lambda o: {"pk": o["partner"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "partners:contact_create": (lambda o: {"pk": o["partner"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "partners:contact_edit": (lambda o: {"pk": o["contact"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "partners:contact_delete": (lambda o: {"pk": o["contact"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "suppliers:qualification_create": (lambda o: {"pk": o["partner"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    # The file of a document without one: 404 for readers (the download itself is tested in
    # tests/suppliers/test_uploads.py).
    "suppliers:qualification_file": (
        lambda o: {"pk": o["qualification"].pk},
        {"get": {**READERS, **{r: MISSING for r in ROLES[2:]}}},
    ),
    "suppliers:qualification_edit": (lambda o: {"pk": o["qualification"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "partners:interaction_create": (lambda o: {"pk": o["partner"].pk}, {"get": WRITERS, "post": WRITERS}),
    # The author (staff) and the partner's department managers edit an interaction.
    "partners:interaction_edit": (lambda o: {"pk": o["interaction"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "partners:followups": (None, {"get": READERS}),
    "partners:export_all": (None, {"get": READERS}),
    "partners:import": (None, {"get": IMPORTERS, "post": IMPORTERS}),
    "partners:import_job": (lambda o: {"pk": o["import_job"].pk}, {"get": IMPORT_JOB}),
    # The matrix's job is done already: confirming it again only says so.
    "partners:import_confirm": (
        lambda o: {"pk": o["import_job"].pk},
        {"post": IMPORT_JOB, "get": IMPORT_POST_ONLY_GET},
    ),
    "partners:import_skipped": (lambda o: {"pk": o["import_job"].pk}, {"get": IMPORT_JOB}),
    "partners:import_template": (lambda o: {"kind": "contacts", "language": "zh-hans"}, {"get": IMPORTERS}),
    "evaluations:overview": (None, {"get": READERS}),
    "evaluations:scorecard": (lambda o: {"pk": o["partner"].pk}, {"get": READERS}),
    "evaluations:screening_open": (lambda o: {"pk": o["partner"].pk}, {"post": OWN_DEPT, "get": POST_ONLY_GET}),
    # The matrix partner is active: a manager's override answers with a message (302).
    "evaluations:screening_override": (lambda o: {"pk": o["partner"].pk}, {"post": MANAGERS, "get": POST_ONLY_GET}),
    # The matrix partner is a supplier, with no partner assessment scorecard: a message (302).
    "evaluations:assessment_open": (lambda o: {"pk": o["partner"].pk}, {"post": OWN_DEPT, "get": POST_ONLY_GET}),
    # The partnership pipeline (P4.3.1): everyone with a role reads it; the prospect's department
    # managers move it (an empty POST shows the form's errors, 200).
    # Associations (P4.4): managers of the association's department add memberships and
    # positions; its staff and managers record events and the like; everyone with a role reads.
    "associations:record_create": (
        lambda o: {"pk": o["association"].pk, "kind": "membership"},
        {"get": MANAGERS, "post": MANAGERS},
    ),
    "associations:record_edit": (
        lambda o: {"kind": "event", "pk": o["association_event"].pk},
        {"get": OWN_DEPT, "post": OWN_DEPT},
    ),
    "associations:standard_document": (lambda o: {"pk": o["standard_work"].pk}, {"get": READERS}),
    "associations:memberships": (None, {"get": READERS}),
    "associations:memberships_csv": (None, {"get": READERS}),
    "associations:positions": (None, {"get": READERS}),
    "associations:positions_csv": (None, {"get": READERS}),
    "associations:events": (None, {"get": READERS}),
    "associations:events_csv": (None, {"get": READERS}),
    # Industry reports (P4.4.3): staff and managers share them; only their readers (the
    # routed department's staff and manager here) mark them read and comment.
    "associations:reports": (None, {"get": READERS}),
    "associations:reports_csv": (None, {"get": READERS}),
    "associations:inbox": (None, {"get": READERS}),
    "associations:report_create": (None, {"get": WRITERS, "post": WRITERS}),
    "associations:report_detail": (lambda o: {"pk": o["industry_report"].pk}, {"get": READERS}),
    "associations:report_file": (lambda o: {"pk": o["industry_report"].pk}, {"get": READERS}),
    "associations:report_read": (
        lambda o: {"pk": o["industry_report"].pk},
        {"post": REPORT_READERS, "get": ACTION_POST_ONLY_GET},
    ),
    "associations:report_comment": (
        lambda o: {"pk": o["industry_report"].pk},
        {"post": REPORT_READERS, "get": ACTION_POST_ONLY_GET},
    ),
    "partnerships:pipeline": (None, {"get": READERS}),
    "partnerships:move": (
        lambda o: {"pk": o["prospect"].pk, "stage": "rejected"},
        {"get": MANAGERS, "post": MANAGERS},
    ),
    # Agreements (P4.3.2): everyone with a role reads them (supervision included); the managers
    # of the agreement's department write them; its staff also update obligations' status.
    # An empty POST shows the form's errors (200).
    "agreements:list": (None, {"get": READERS}),
    "agreements:export": (None, {"get": READERS}),
    "agreements:detail": (lambda o: {"pk": o["agreement"].pk}, {"get": READERS}),
    "agreements:partner_agreements": (lambda o: {"pk": o["partner"].pk}, {"get": READERS}),
    "agreements:create": (lambda o: {"pk": o["partner"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "agreements:edit": (lambda o: {"pk": o["agreement"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "agreements:renew": (lambda o: {"pk": o["agreement"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "agreements:terminate": (lambda o: {"pk": o["agreement"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "agreements:document_add": (lambda o: {"pk": o["agreement"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "agreements:document_file": (lambda o: {"pk": o["agreement_document"].pk}, {"get": READERS}),
    "agreements:obligation_add": (lambda o: {"pk": o["agreement"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "agreements:obligation_status": (
        lambda o: {"pk": o["obligation"].pk},
        {"post": OWN_DEPT, "get": POST_ONLY_GET},
    ),
    "agreements:review": (lambda o: {"pk": o["agreement"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "agreements:review_action_add": (
        lambda o: {"pk": o["execution_review"].pk},
        {"get": MANAGERS, "post": MANAGERS},
    ),
    # Projects (P4.3.3, P4.4.2): everyone with a role reads them; the staff and managers of the
    # project's department write them. An empty POST shows the form's errors (200).
    "projects:list": (None, {"get": READERS}),
    "projects:export": (None, {"get": READERS}),
    "projects:detail": (lambda o: {"pk": o["project"].pk}, {"get": READERS}),
    "projects:milestones_due": (None, {"get": READERS}),
    "projects:partner_projects": (lambda o: {"pk": o["project_partner"].pk}, {"get": READERS}),
    "projects:create": (lambda o: {"pk": o["project_partner"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "projects:history": (lambda o: {"pk": o["project"].pk}, {"get": READERS}),
    "projects:edit": (lambda o: {"pk": o["project"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "projects:interactions": (lambda o: {"pk": o["project"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "projects:milestone_add": (lambda o: {"pk": o["project"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "projects:milestone_done": (lambda o: {"pk": o["milestone"].pk}, {"post": OWN_DEPT, "get": POST_ONLY_GET}),
    "projects:milestone_delete": (lambda o: {"pk": o["milestone"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "evaluations:detail": (lambda o: {"pk": o["evaluation"].pk}, {"get": READERS}),
    "evaluations:close": (lambda o: {"pk": o["evaluation"].pk}, {"post": MANAGERS, "get": POST_ONLY_GET}),
    "evaluations:decide": (lambda o: {"pk": o["evaluation"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "evaluations:incentive_propose": (lambda o: {"pk": o["evaluation"].pk}, {"post": OWN_DEPT, "get": POST_ONLY_GET}),
    # The evaluation in the matrix is open: a manager's amend answers with a message (302).
    "evaluations:amend": (lambda o: {"pk": o["evaluation"].pk}, {"post": MANAGERS, "get": POST_ONLY_GET}),
    # The action's owner is staff: owner and the department's managers.
    "evaluations:sheet": (lambda o: {"pk": o["sheet"].pk}, {"get": READERS, "post": SHEET_WRITERS}),
    "evaluations:incentive_approve": (lambda o: {"pk": o["incentive"].pk}, {"post": MANAGERS, "get": POST_ONLY_GET}),
    "evaluations:incentive_reject": (lambda o: {"pk": o["incentive"].pk}, {"post": MANAGERS, "get": POST_ONLY_GET}),
    # Satisfaction surveys: everyone with a role reads; staff and managers create and send.
    "surveys:survey_list": (None, {"get": READERS}),
    "surveys:survey_create": (None, {"get": WRITERS, "post": WRITERS}),
    "surveys:survey_detail": (lambda o: {"pk": o["survey"].pk}, {"get": READERS}),
    # An empty selection answers with a message (302).
    "surveys:survey_send": (lambda o: {"pk": o["survey"].pk}, {"post": WRITERS, "get": POST_ONLY_GET}),
    "surveys:results": (None, {"get": READERS}),
    # The results as CSV or XLSX, with the page's filters: everyone who reads the results.
    "surveys:results_export": (None, {"get": READERS}),
    # The public survey link: the token is the key, no login (an empty POST shows the errors).
    "surveys:respond": (
        lambda o: {"token": o["survey_token"]},
        {"get": {r: OK for r in ROLES}, "post": {r: OK for r in ROLES}},
    ),
    # Service cases: everyone with a role reads; the department's staff and managers (and
    # the assignee) work on them. Empty POSTs show the form errors (200).
    "cases:case_list": (None, {"get": READERS}),
    "cases:case_export": (None, {"get": READERS}),
    "cases:case_create": (None, {"get": WRITERS, "post": WRITERS}),
    "cases:sla_report": (None, {"get": READERS}),
    "cases:case_detail": (lambda o: {"pk": o["case"].pk}, {"get": READERS}),
    "cases:case_edit": (lambda o: {"pk": o["case"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "cases:case_note": (lambda o: {"pk": o["case"].pk}, {"post": OWN_DEPT, "get": POST_ONLY_GET}),
    "cases:case_transition": (lambda o: {"pk": o["case"].pk}, {"post": OWN_DEPT, "get": POST_ONLY_GET}),
    "cases:case_assign": (lambda o: {"pk": o["case"].pk}, {"post": OWN_DEPT, "get": POST_ONLY_GET}),
    # The public complaint / suggestion form; "thanks" without a submission goes back to it.
    "cases:feedback": (None, {"get": {r: OK for r in ROLES}, "post": {r: OK for r in ROLES}}),
    "cases:feedback_thanks": (None, {"get": {r: OK for r in ROLES}}),
    # Customer care. Needs: anyone who logs interactions records one; its author (staff)
    # and the department's managers edit it. An empty POST shows the form's errors (200).
    "customers:need_create": (lambda o: {"pk": o["partner"].pk}, {"get": WRITERS, "post": WRITERS}),
    "customers:need_edit": (lambda o: {"pk": o["need"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    "customers:needs_summary": (None, {"get": READERS}),
    "customers:needs_export": (None, {"get": READERS}),
    "customers:care_calendar": (None, {"get": READERS}),
    # The partner's owner (staff) and the department's managers mark a greeting (302).
    "customers:greeting_mark": (lambda o: {"pk": o["greeting"].pk}, {"post": OWN_DEPT, "get": POST_ONLY_GET}),
    "customers:gift_list": (None, {"get": READERS}),
    "customers:gift_create": (lambda o: {"pk": o["partner"].pk}, {"get": OWN_DEPT, "post": OWN_DEPT}),
    # A pending gift recorded by staff: the department's managers decide (P3.1).
    "customers:gift_decide": (lambda o: {"pk": o["gift"].pk}, {"get": MANAGERS, "post": MANAGERS}),
    "customers:campaign_list": (None, {"get": READERS}),
    "customers:campaign_create": (None, {"get": WRITERS, "post": WRITERS}),
    "customers:campaign_detail": (lambda o: {"pk": o["campaign"].pk}, {"get": READERS}),
    # A draft: its author (the manager here) and every manager.
    "customers:campaign_edit": (
        lambda o: {"pk": o["campaign"].pk},
        {"get": CAMPAIGN_SENDERS, "post": CAMPAIGN_SENDERS},
    ),
    "customers:campaign_send": (
        lambda o: {"pk": o["campaign"].pk},
        {"get": CAMPAIGN_SENDERS, "post": CAMPAIGN_SENDERS},
    ),
    # The unsubscribe link of a campaign email: the token is the key, no login.
    "customers:unsubscribe": (lambda o: {"token": o["unsubscribe_token"]}, {"get": PUBLIC, "post": PUBLIC}),
    # The owner (staff) and the partner's department managers complete a follow-up.
    "partners:followup_complete": (
        lambda o: {"pk": o["followup"].pk},
        {"post": OWN_DEPT, "get": POST_ONLY_GET},
    ),
    "partners:followup_reopen": (
        lambda o: {"pk": o["followup"].pk},
        {"post": OWN_DEPT, "get": POST_ONLY_GET},
    ),
}


def manager_user(users: dict):
    return users["manager"]


def _all_url_names(patterns=None, namespace: str | None = None) -> set[str]:
    names: set[str] = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace in ("admin", "api"):  # the API: tests/api/test_api_permissions_matrix.py
                continue
            ns = p.namespace if p.namespace else None
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            names |= _all_url_names(p.url_patterns, full)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}:{p.name}" if namespace else p.name)
    return names


def test_every_url_has_a_matrix_entry():
    missing = _all_url_names() - set(MATRIX)
    assert not missing, f"Add these URL names to the permission matrix: {sorted(missing)}"
    stale = set(MATRIX) - _all_url_names()
    assert not stale, f"The matrix names URLs that no longer exist: {sorted(stale)}"


def build_world() -> tuple[dict, dict]:
    """One record of every kind the URLs name, with the users of every role."""
    staff = UserFactory(username="staff", role="Staff", dept="procurement")
    users = {
        "staff": staff,
        "staff_other": UserFactory(username="staff2", role="Staff", dept="sales"),
        "manager": UserFactory(username="manager", role="Manager", dept="procurement"),
        "manager_other": UserFactory(username="manager2", role="Manager", dept="sales"),
        "supervisor": UserFactory(username="supervisor", role="Supervision", dept="general-office"),
        "outsider": UserFactory(username="outsider", dept="sales"),
    }
    admin = UserFactory(username="admin")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    users["admin"] = admin
    partner = PartnerFactory(name="Matrix Supplier", owner=staff)
    objects = {
        "partner": partner,
        "contact": ContactFactory(partner=partner),
        "qualification": partner.qualifications.create(doc_type="iso9001", number="Q-1"),
        "interaction": InteractionFactory(partner=partner, author=staff),
        "followup": FollowUpFactory(partner=partner, owner=staff),
        "notification": Notification.objects.create(
            recipient=staff, kind="test", object_ref="x", period="-", title="Hello", link=partner.get_absolute_url()
        ),
        "calendar_token": calendar_token_for(staff).token,
        "api_token": api_token_create(user=staff, name="Matrix")[0],
        "import_job": ImportJob.objects.create(
            user=users["manager"],
            kind="partners",
            file_hash="0" * 64,
            filename="matrix.csv",
            status=ImportJob.Status.DONE,
            columns=["name"],
            headers=["Name"],
        ),
    }
    template = ScorecardTemplate.objects.get(purpose="periodic", family="supplier")
    evaluation, _created = evaluation_open(
        partner=partner, template=template, period=dt.date(2026, 5, 1), evaluators=[staff]
    )
    objects["evaluation"] = evaluation
    objects["sheet"] = evaluation.sheets.get()
    plan = CorrectiveActionPlan.objects.create(
        evaluation=evaluation, created_by=manager_user(users), re_evaluation_on=dt.date(2026, 9, 30)
    )
    objects["action"] = corrective_action_raise(
        source=plan,
        description="Fix",
        department=partner.department,
        owner=staff,
        due_on=dt.date(2026, 7, 1),
        by=manager_user(users),
    )
    objects["action"].evidence.save("evidence.pdf", ContentFile(b"%PDF-1.4 matrix"))
    objects["incentive"] = Incentive.objects.create(
        partner=partner,
        evaluation=evaluation,
        kind="award",
        proposed_by=staff,
        starts_on=dt.date(2026, 6, 1),
        ends_on=dt.date(2027, 6, 1),
    )
    survey = Survey.objects.create(
        template=SurveyTemplate.objects.get(name="Supplier satisfaction"),
        title="Supplier satisfaction 2026",
        family="supplier",
        period="2026",
        created_by=manager_user(users),
    )
    objects["survey"] = survey
    objects["survey_token"] = invitation_token(survey_send(survey=survey, contacts=[objects["contact"]])[0])
    objects["case"] = case_open(
        partner=partner, kind="complaint", channel="phone", subject="Late delivery", description="Two weeks late."
    )
    objects["need"] = Need.objects.create(
        partner=partner, summary="Faster delivery", recorded_by=staff, recorded_at=timezone.now()
    )
    objects["greeting"] = Greeting.objects.create(
        partner=partner, contact=objects["contact"], occasion="birthday", date=timezone.localdate()
    )
    objects["gift"] = Gift.objects.create(
        partner=partner,
        description="Tea set",
        value=Decimal("800"),
        date=timezone.localdate(),
        recorded_by=staff,
        status=Gift.Status.PENDING,
    )
    objects["campaign"] = Campaign.objects.create(
        name="Spring news", subject_en="News", body_en="Hello", created_by=manager_user(users)
    )
    sent = Campaign.objects.create(
        name="Autumn news", subject_en="News", body_en="Hello", created_by=manager_user(users), status="sent"
    )
    recipient = CampaignRecipient(campaign=sent, contact=objects["contact"], email="c@example.com", language="en")
    recipient.nonce = "matrix-nonce"
    recipient.token_hash = token_hash(unsubscribe_token(recipient))
    recipient.save()
    objects["unsubscribe_token"] = unsubscribe_token(recipient)
    objects.update(_supervision_world(users, objects))
    objects.update(_pipeline_world(users))
    objects.update(_association_world(users))
    objects.update(_agreement_world(users, objects))
    objects.update(_project_world(users))
    return users, objects


def _association_world(users) -> dict:
    """An association of Procurement with one record of each kind, and a report routed to
    Procurement (P4.4)."""
    from crm.models import Department
    from partners.associations import models as am
    from partners.associations.services import report_share

    association = PartnerFactory(name="Matrix Association", family="association", owner=users["staff"])
    today = timezone.localdate()
    am.Membership.objects.create(association=association, level="Member", ends_on=today)
    am.Position.objects.create(
        association=association, role="Council member", person=users["manager"], starts_on=today, ends_on=today
    )
    event = am.AssociationEvent.objects.create(
        association=association,
        kind="seminar",
        topic="Policy",
        purpose="policy",
        starts_on=today,
        recorded_by=users["staff"],
    )
    standard = am.StandardWork.objects.create(association=association, title="Std", our_role="member", stage="draft")
    standard.document.save("std.pdf", ContentFile(b"%PDF-1.4 matrix"))
    am.Submission.objects.create(association=association, kind="problem", subject="Prices", body="Too high")
    report = am.IndustryReport(source_institution="Institute", title="Outlook", summary="Summary")
    report.file.save("report.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
    report = report_share(
        report=report, departments=[Department.objects.get(code="procurement")], people=[], by=users["admin"]
    )
    return {
        "association": association,
        "association_event": event,
        "standard_work": standard,
        "industry_report": report,
    }


def _agreement_world(users, objects) -> dict:
    """An active supply contract of the matrix supplier, with an obligation of ours, a
    document and an execution review with its corrective action (P4.3.2)."""
    from partners.agreements import services as agreements
    from partners.agreements.models import AgreementDocument

    today = timezone.localdate()
    manager = users["manager"]
    agreement = agreements.agreement_create(
        data={
            "title": "Matrix supply contract",
            "kind": "supply",
            "owner": manager,
            "scope": "Parts",
            "starts_on": today - dt.timedelta(days=200),
            "ends_on": today + dt.timedelta(days=300),
            "review_cadence": "quarterly",
            "status": "active",
        },
        partners=[objects["partner"]],
        by=manager,
    )
    obligation = agreements.obligation_add(
        agreement=agreement,
        data={"party": "ours", "description": "Forecast", "due_on": today, "owner": users["staff"]},
        by=manager,
    )
    review = agreements.review_record(
        agreement=agreement,
        data={"rating": 4, "reviewed_on": today},
        actions=[{"description": "Tighten the schedule", "owner": users["staff"], "due_on": today}],
        by=manager,
    )
    document = AgreementDocument(agreement=agreement, title="Signed copy", uploaded_by=manager)
    document.file.save("contract.pdf", ContentFile(b"%PDF-1.4 matrix"), save=True)
    return {
        "agreement": agreement,
        "obligation": obligation,
        "agreement_document": document,
        "execution_review": review,
    }


def _project_world(users) -> dict:
    """A joint project of a Procurement partner, with a milestone and a linked interaction (P4.3.3)."""
    from partners.projects import services as projects

    partner = PartnerFactory(name="Matrix Ally", family="partner", status="active", owner=users["staff"])
    interaction = InteractionFactory(partner=partner, author=users["staff"])
    project = projects.project_create(
        data={
            "title": "Matrix joint project",
            "kind": "joint",
            "owner": users["staff"],
            "goal": "Goal",
            "status": "active",
            "starts_on": timezone.localdate(),
            "progress": 10,
        },
        partners=[partner],
        team=[users["staff"]],
        by=users["manager"],
    )
    projects.project_link_interactions(project=project, interactions=[interaction], by=users["manager"])
    milestone = projects.milestone_add(
        project=project, data={"title": "Kick-off", "due_on": timezone.localdate()}, by=users["manager"]
    )
    return {"project": project, "project_partner": partner, "milestone": milestone}


def _pipeline_world(users) -> dict:
    """A prospect of the partner family, and one rejected in the pipeline (P4.3.1)."""
    prospect = PartnerFactory(name="Matrix Prospect", family="partner", status="candidate", owner=users["staff"])
    rejected = PartnerFactory(name="Matrix Rejected", family="partner", status="candidate", owner=users["staff"])
    partnership_move(partner_id=rejected.pk, to_stage="rejected", by=users["manager"], reason="Wrong market")
    return {"prospect": prospect, "rejected_prospect": rejected}


@pytest.fixture
def world(db):
    """A fresh world per test, for tests that change it (the crawl, the admin matrix)."""
    return build_world()


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, matrix_media):
    """The world built once for the matrix's thousand requests, which only read it."""
    with module_rows(django_db_blocker, matrix_media):
        yield build_world()


@pytest.fixture
def matrix_world(db, settings, shared_world, matrix_media):
    settings.MEDIA_ROOT = matrix_media  # where the shared world's files are
    return shared_world


def _supervision_world(users, objects) -> dict:
    from django.core.files.base import ContentFile

    from crm.models import Department
    from supervision import services as supervision
    from supervision.models import AnnualReport

    today = timezone.localdate()
    plan = supervision.plan_create(
        data={
            "year": today.year,
            "title": "Matrix inspection",
            "schedule": "periodic",
            "planned_on": today,
            "period_start": today - dt.timedelta(days=365),
            "period_end": today,
            "families": [],
        },
        departments=[],
        by=users["supervisor"],
    )
    sample = supervision.sample_draw(plan=plan, kind="interactions", size=1, seed=1, by=users["supervisor"])
    visit = supervision.visit_record(
        partner=objects["partner"], plan=plan, data={"visited_on": today, "feedback": "Fine"}, by=users["supervisor"]
    )
    finding = supervision.finding_record(
        data={
            "plan": plan,
            "clause": "P3.3",
            "severity": "minor",
            "department": Department.objects.get(code="procurement"),
            "title": "Matrix finding",
            "description": "Found",
            "response_due": today + dt.timedelta(days=14),
        },
        evidence=[],
        by=users["supervisor"],
    )
    target = supervision.coverage_target_set(
        measure="followups_on_time", target=90, amber_margin=5, by=users["supervisor"]
    )
    published = AnnualReport.objects.create(
        year=today.year - 1,
        version=1,
        state=AnnualReport.State.PUBLISHED,
        figures={"has_data": True, "year": today.year - 1, "sections": []},
        generation=AnnualReport.Generation.DONE,
        published_at=timezone.now(),
        published_by=users["supervisor"],
        created_by=users["supervisor"],
    )
    published.xlsx.save("matrix.xlsx", ContentFile(b"PK\x03\x04 matrix"), save=True)
    draft = supervision.report_create(year=today.year, by=users["supervisor"])
    item = supervision.report_item_add(
        report=draft,
        data={
            "description": "Matrix improvement",
            "department": Department.objects.get(code="procurement"),
            "owner": users["staff"],
            "due_on": today + dt.timedelta(days=30),
        },
        by=users["supervisor"],
    )
    return {
        "plan": plan,
        "sample": sample,
        "sample_item": sample.items.get(),
        "visit": visit,
        "finding": finding,
        "coverage_target": target,
        "published_report": published,
        "draft_report": draft,
        "report_item": item,
    }


CASES = [(name, method) for name, (_kw, methods) in MATRIX.items() for method in methods]


def _unexpected(expected: str, method: str, response) -> str | None:
    """What is wrong with ``response`` for the expectation, or None."""
    code = response.status_code
    location = response.get("Location", "")
    if expected == LOGIN:
        ok = code == 302 and location.startswith(reverse("login"))
    elif expected == OK:
        ok = code in (200, 204) or (code == 302 and not location.startswith(reverse("login")))
    elif expected == DENY:
        ok = code == 403
    elif expected == NOPE:
        ok = code == 405
    elif expected == UNAUTHORIZED:
        ok = code == 401
    elif expected == MISSING:
        ok = code == 404
    elif expected == PROBE:
        ok = code in (200, 503) and response["Content-Type"] == "application/json"
    elif expected == MOVED:
        ok = code == (301 if method == "get" else 308) and location == "/cases/"
    else:
        raise AssertionError(f"unknown expectation {expected!r}")
    return None if ok else f"expected {expected}, got {code} {location}".rstrip()


def _inline_code(response) -> str | None:
    """What the strict Content-Security-Policy would block on an HTML page (issue #10 §8)."""
    if "text/html" not in response.get("Content-Type", "") or hasattr(response, "streaming_content"):
        return None
    problems = inline_code(response.content.decode())
    return f"inline code the CSP blocks: {problems}" if problems else None


@pytest.mark.parametrize(("name", "method"), CASES)
def test_permission_matrix(client, matrix_world, name, method):
    """One URL and method, asked by every role in turn; every role's wrong answer is reported."""
    users, objects = matrix_world
    kwargs_builder, methods = MATRIX[name]
    url = reverse(name, kwargs=kwargs_builder(objects) if kwargs_builder else None)
    wrong = {}
    for role in ROLES:
        cache.clear()  # rate limits count per test, as a role's own request would
        # Each role meets the world as the test found it: what a request writes is undone.
        with transaction.atomic():
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            response = getattr(client, method)(url, {"language": "en"} if name == "set_language" else {})
            transaction.set_rollback(True)
        problem = _unexpected(methods[method][role], method, response)
        if not problem and method == "get":
            problem = _inline_code(response)
        if problem:
            wrong[role] = problem
    assert wrong == {}, f"{method.upper()} {url}"
