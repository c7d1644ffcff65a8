from __future__ import annotations

import pytest

from tests.evaluations.factories import make_template
from tests.factories import UserFactory


@pytest.fixture
def template(db):
    """Quarterly supplier template: Quality 50 (N/A allowed), Price 30, On-time KPI 20."""
    return make_template()


@pytest.fixture
def quality_staff(db):
    """A second evaluator: staff in Quality (a different department, assigned to the sheet)."""
    return UserFactory(username="qe", first_name="Quinn", last_name="Evans", role="Staff", dept="quality")
