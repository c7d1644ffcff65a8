"""Issue #12's Chinese journeys in Chromium (§6/§7 data in the reader's language, §8/§9 the
public form's Chinese): followed end to end, asserting on what the browser shows and on the
database. §4 and §5 are in test_new_user_journeys.py."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification
from crm.scheduler import scan_run
from evaluations.models import ScorecardTemplate
from evaluations.surveys.models import Survey, SurveyInvitation, SurveyResponse, SurveyTemplate
from partners.cases.models import Case
from partners.customers import services as care
from partners.customers.models import Campaign
from tests.browser.conftest import file_chinese_complaint, sign_in
from tests.evaluations.factories import closed_eval, open_eval
from tests.factories import (
    ContactFactory,
    FollowUpFactory,
    PartnerFactory,
    UserFactory,
    department,
    ensure_reference_data,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# CJK ideographs (basic block, extension A, compatibility ideographs), as tests/crm/test_zh_punctuation.py.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAS_CJK = re.compile(f"[{CJK}]")
# An ASCII mark right after a Chinese character (spaces between them do not excuse it).
STRAY = re.compile(f"[{CJK}] *[.:;,?!]")


@pytest.fixture(autouse=True)
def _reference_data(db):
    ensure_reference_data()


def switch_to_chinese(page) -> None:
    """The navbar's language switcher, as a signed-in user uses it."""
    page.select_option("#language-select", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")


# The page's text as a reader sees it: what is hidden from eyes and screen readers alike (the
# public form's honeypot field, visually-hidden and aria-hidden) is left out for the reading.
VISIBLE_TEXT = """() => {
  const hidden = [...document.querySelectorAll("[aria-hidden=true]")];
  const kept = hidden.map((el) => el.style.display);
  hidden.forEach((el) => { el.style.display = "none"; });
  const text = document.body.innerText;
  hidden.forEach((el, i) => { el.style.display = kept[i]; });
  return text;
}"""


def visible_text(page) -> str:
    return page.evaluate(VISIBLE_TEXT)


def stray_punctuation(text: str) -> list[str]:
    """ASCII punctuation in the Chinese sentences of a page's visible text: right after a CJK
    character, or ending a line that is Chinese ("您的参考编号是 X." ends with 。)."""
    hits = [m.group() for m in STRAY.finditer(text)]
    for line in text.splitlines():
        line = line.strip()
        if HAS_CJK.search(line) and line[-1:] in {".", ":"}:
            hits.append(line)
    return hits


# --- §6/§7 A user in Chinese reads the data in Chinese ---------------------------------------------


def test_staff_switches_to_chinese_and_reads_departments_scorecards_notices_and_languages(page, live_server, settings):
    """A buyer reads an overdue notice in English, switches to Chinese with the switcher and
    then sees: the notice in Chinese, the department's Chinese name, the scoring sheet's
    template, criteria and anchors in Chinese, the score formula in Chinese, and a campaign's
    recipient language by name (简体中文), never the code zh-hans."""
    page.set_default_timeout(15000)
    settings.RAPPORT_BASE_URL = live_server.url
    buyer = UserFactory(username="buyer", first_name="Mei", last_name="Chen", role="Staff", dept="procurement")
    manager = UserFactory(username="manager", first_name="Hua", last_name="Zhang", role="Manager", dept="procurement")
    procurement = department("procurement")
    assert procurement.name_zh == "采购部"
    supplier = PartnerFactory(name="Wuxi Precision Castings", owner=buyer, department=procurement)
    template = ScorecardTemplate.objects.get(name="Supplier periodic evaluation")
    today = timezone.localdate()
    closed = closed_eval(supplier, template, buyer, manager, rating=4, period=today - dt.timedelta(days=200))
    sheet = open_eval(supplier, template, [buyer], period=today - dt.timedelta(days=100)).sheets.get()
    due = today - dt.timedelta(days=4)
    FollowUpFactory(owner=buyer, partner=supplier, description="8D report", due_on=due)
    scan_run("followups")  # the buyer reads English: the notice is made in English
    notice = Notification.objects.get(recipient=buyer, kind="followup_overdue")
    assert notice.title.startswith("Overdue since") and notice.params["date"] == due.isoformat()
    customer = PartnerFactory(name="Blue Ocean Retail", family="customer", owner=manager, department=procurement)
    contact = ContactFactory(
        partner=customer, name="Chen Jie", email="chen@blueocean.example", preferred_language="zh-hans"
    )
    contact.marketing_consent = True
    contact.save(update_fields=["marketing_consent"])
    campaign = Campaign.objects.create(
        name="Spring Festival greetings",
        subject_en="Happy New Year",
        body_en="Best wishes for the Year of the Horse.",
        subject_zh="新春快乐",
        body_zh="恭祝马年大吉。",
        created_by=manager,
    )
    assert care.campaign_send(campaign=campaign, user=manager, contacts=[contact]) == 1

    sign_in(page, "buyer")
    page.goto("/notifications/")
    assert "Overdue since" in page.locator("#notification-list").inner_text()
    page.goto(f"/care/campaigns/{campaign.pk}/")
    assert "Simplified Chinese" in page.locator("#recipients").inner_text()

    switch_to_chinese(page)
    # The campaign's recipient language: its name in Chinese, not the code.
    recipients = page.locator("#recipients").inner_text()
    assert "简体中文" in recipients and "zh-hans" not in recipients

    # The notice made in English reads in Chinese now.
    page.goto("/notifications/")
    notices = page.locator("#notification-list").inner_text()
    assert "起逾期：8D report（Wuxi Precision Castings）" in notices and "Overdue since" not in notices
    notice.refresh_from_db()
    assert notice.title.startswith("Overdue since")  # stored once, read in each reader's language

    # The department: on the partner page and in the list.
    page.goto(supplier.get_absolute_url())
    page.wait_for_selector("#partner-name")
    assert "采购部" in page.locator("#main").inner_text()
    assert "Procurement" not in page.locator("#main").inner_text()
    page.goto("/partners/family/supplier/")
    row = page.locator("tr", has_text="Wuxi Precision Castings").inner_text()
    assert "采购部" in row and "Procurement" not in row

    # The scoring sheet: the template, its criteria and their anchors in Chinese.
    page.goto(reverse("evaluations:sheet", args=[sheet.pk]))
    page.wait_for_selector("#submit-sheet")
    assert "供应商定期评估" in page.locator("h1").inner_text()
    legends = page.locator("form legend").all_inner_texts()
    for name in ("质量", "交付", "价格", "服务", "合作与沟通"):
        assert any(legend.startswith(name) for legend in legends), (name, legends)
    form = page.locator("#main form").inner_text()
    assert "缺陷频繁或发生严重质量事故。" in form and "本期准时交付率。" in form
    assert "Quality" not in form and "Frequent defects" not in form

    # The closed evaluation: the score formula, the criteria and the anchors in Chinese.
    page.goto(f"/evaluations/{closed.pk}/")
    page.click("#main details.explain summary")
    result = page.locator("#main details.explain").inner_text()
    assert "Σ 权重×得分 / Σ 权重（仅计有得分的评分项）" in result and "本期得分：" in result
    assert "合作与沟通" in result and "缺陷极少。" in result  # rating 4 of Quality
    assert "weight·score" not in result and "Period score" not in result
    assert not stray_punctuation(result), stray_punctuation(result)
    assert page.console_errors == []


def test_chinese_customer_answers_a_chinese_survey_and_the_used_link_answers_in_chinese(page, live_server, settings):
    """The manager (reading English) invites a customer whose language is Chinese: the
    e-mail's subject and title are Chinese; the customer opens the link exactly as sent,
    answers in Chinese, and the link opened again says "already answered" in Chinese."""
    page.set_default_timeout(15000)
    settings.RAPPORT_BASE_URL = live_server.url  # the e-mailed link points at this server
    UserFactory(username="manager", first_name="Hua", last_name="Zhang", role="Manager", dept="sales")
    seller = UserFactory(username="seller", role="Staff", dept="sales")
    customer = PartnerFactory(name="Blue Ocean Retail", family="customer", owner=seller, department=department("sales"))
    contact = ContactFactory(
        partner=customer, name="陈杰", email="chen@blueocean.example", preferred_language="zh-hans"
    )
    survey = Survey.objects.create(
        template=SurveyTemplate.objects.get(name="Customer satisfaction"),
        title="Customer satisfaction 2026-Q4",
        title_zh="2026年第四季度客户满意度调查",
        family="customer",
        period="2026-Q4",
        created_by=seller,
    )

    sign_in(page, "manager")
    page.goto(f"/surveys/{survey.pk}/")
    page.check(f"#contact-{contact.pk}")
    page.click("#send-form button[type=submit]")
    page.wait_for_selector("text=1 invitations sent.")
    assert SurveyInvitation.objects.get(contact=contact).language == "zh-hans"

    (message,) = [m for m in mail.outbox if m.to == ["chen@blueocean.example"]]
    assert message.subject == "2026年第四季度客户满意度调查"
    html = message.alternatives[0][0]
    assert ">2026年第四季度客户满意度调查</a>" in html and "Customer satisfaction" not in html
    assert "陈杰" in message.body and "Customer satisfaction" not in message.body
    assert HAS_CJK.search(message.body.split("\n", 1)[0])  # the greeting is Chinese too
    link = re.search(r"https?://\S+/s/[^/\s]+/", message.body).group(0)
    assert link.startswith(live_server.url + "/s/")

    # The customer: no login, an English browser, the link exactly as sent.
    page.context.clear_cookies()
    page.goto(link)
    page.wait_for_selector("#survey-form")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "2026年第四季度客户满意度调查"
    assert page.title().startswith("2026年第四季度客户满意度调查")
    assert "您对我们的产品和服务满意吗？" in page.locator("#survey-form").inner_text()
    for fieldset in page.locator("#survey-form fieldset").all():
        radios = fieldset.locator("label.btn")
        if radios.count():
            radios.nth(radios.count() - 1).click()
        else:
            fieldset.locator("textarea").fill("送货很快，服务周到。")
    assert not stray_punctuation(visible_text(page))
    page.click("#survey-form button[type=submit]")
    page.wait_for_selector("#survey-thanks")
    assert HAS_CJK.search(page.locator("#survey-thanks").inner_text())
    response = SurveyResponse.objects.get(contact=contact)
    assert response.language == "zh-hans"
    assert SurveyInvitation.objects.get(contact=contact).responded_at is not None

    page.goto(link)
    page.wait_for_selector("#survey-answered")
    answered = page.locator("#survey-answered").inner_text()
    assert "您已完成本次调查" in answered and "already" not in answered.lower()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert not stray_punctuation(visible_text(page))
    assert SurveyResponse.objects.filter(contact=contact).count() == 1


# --- §8/§9 The public form in Chinese ------------------------------------------------------------


def test_public_feedback_form_in_chinese_uses_the_glossary_and_full_width_punctuation(page):
    """Someone opens the public form, switches it to Chinese: the labels say 单位名称 and
    详细说明, and every Chinese sentence — on the form, its errors and the thank-you page —
    uses full-width punctuation."""
    page.set_default_timeout(15000)
    page.goto("/feedback/")
    page.wait_for_selector("#feedback")
    page.click("#language-links a[lang=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator("label[for=id_company]").inner_text().startswith("单位名称")
    assert page.locator("label[for=id_description]").inner_text().startswith("详细说明")
    text = visible_text(page)
    assert "企业客户" not in page.locator("#div_id_company").inner_text() and "基本信息" not in text
    assert not stray_punctuation(text), stray_punctuation(text)

    # Sent empty: every message in Chinese, with Chinese punctuation.
    page.click("#feedback button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    errors = page.locator(".invalid-feedback").all_inner_texts()
    assert errors and all(HAS_CJK.search(e) for e in errors), errors
    text = visible_text(page)
    assert not stray_punctuation(text), stray_punctuation(text)
    assert Case.objects.count() == 0

    reference = file_chinese_complaint(page)
    thanks = visible_text(page)
    assert not stray_punctuation(thanks), stray_punctuation(thanks)
    case = Case.objects.get()
    assert reference == case.reference
    assert case.language == "zh-hans" and case.submitter_email == "wang@example.com"
    # The acknowledgement is written in the language the form was filled in.
    (ack,) = [m for m in mail.outbox if m.to == ["wang@example.com"]]
    assert case.reference in ack.subject and HAS_CJK.search(ack.subject) and "We received" not in ack.subject
    assert not stray_punctuation(ack.subject + "\n" + ack.body), stray_punctuation(ack.body)
    assert page.console_errors == []
