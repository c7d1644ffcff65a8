"""Posting an edit form as a browser does: with the version the form was rendered from."""

from __future__ import annotations

import re

VERSION_INPUT = re.compile(r'<input type="hidden" name="(?:[\w-]+-)?version" value="([^"]*)"')


def version_in(response) -> str:
    """The version the rendered edit form carries (its hidden ``version`` input)."""
    match = VERSION_INPUT.search(response.content.decode())
    assert match, "the edit form carries no version"
    return match.group(1)


def post_edit(client, url: str, data: dict, **kwargs):
    """Open the edit form, then post ``data`` with the version it showed."""
    version = version_in(client.get(url))
    return client.post(url, {**data, "version": version}, **kwargs)
