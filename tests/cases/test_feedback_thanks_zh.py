"""The public form's thank-you page ends its Chinese sentence with 。: the reference number's
sentence is one translated string, its full stop included (the template's own ASCII "." once
followed the translated words, found by the §8/§9 browser journey)."""

from __future__ import annotations

import re

import pytest

from partners.cases.models import Case
from tests.cases.test_feedback_form import URL, form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [("zh-hans", "您的编号是 {ref}。"), ("en", "Your reference number is {ref}.")],
)
def test_the_reference_sentence_is_punctuated_in_the_forms_language(client, lang, sentence):
    response = client.post(f"{URL}?lang={lang}", form())
    page = client.get(response["Location"]).content.decode()
    reference = Case.objects.get().reference
    assert f'<strong id="case-reference">{reference}</strong>' in page
    text = re.sub(r"<[^>]+>", "", page)
    assert sentence.format(ref=reference) in text
