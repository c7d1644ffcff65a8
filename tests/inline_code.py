"""What a strict Content-Security-Policy refuses, found in a page's HTML (issue #10 §8)."""

from __future__ import annotations

from html.parser import HTMLParser


class InlineCode(HTMLParser):
    """Collects what a strict CSP refuses: style attributes, on* handlers, javascript: links,
    inline <script> (JSON data blocks excepted) and <style> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script_inline = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.problems.append("<style> element")
        self._script_inline = tag == "script" and "src" not in names and names.get("type") != "application/json"

    def handle_data(self, data):
        if self._script_inline and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_inline = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems
