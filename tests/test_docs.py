"""The documentation holds together: the README is a short front door, and every link and picture in it and in the
guides under docs/ leads somewhere (a file that exists, a heading that exists in it)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
GUIDES = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *GUIDES]
README_MAX_LINES = 250

FENCE = re.compile(r"^```.*?^```[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
TARGET = re.compile(r"\]\(([^)\s]+)\)")  # [text](target) and ![alt](target); the text may run over lines
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, tel:


def prose(path: Path) -> str:
    """The page without its code: a `](` or a `# comment` in a code block is neither a link nor a heading."""
    return INLINE_CODE.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces made hyphens."""
    text = INLINE_CODE.sub(lambda m: m.group(0).strip("`"), heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor in a page; a repeated heading gets -1, -2 … as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def links(path: Path) -> list[str]:
    return [target for target in TARGET.findall(prose(path)) if not EXTERNAL.match(target)]


def test_there_are_guides_and_they_have_links():
    assert {p.name for p in GUIDES} >= {"candidates.md", "recruiters.md", "career-centres.md", "checks.md",
                                        "developers.md", "performance.md", "changelog.md"}
    assert sum(len(links(page)) for page in PAGES) > 50


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_and_picture_leads_somewhere(page: Path):
    broken = []
    for target in links(page):
        file_part, _, anchor = target.partition("#")
        file = (page.parent / unquote(file_part)).resolve() if file_part else page
        if not file.exists():
            broken.append(f"{target}: no file {file}")
        elif anchor and (file.suffix != ".md" or anchor not in anchors(file)):
            broken.append(f"{target}: no heading #{anchor} in {file.name}")
    assert not broken, "\n".join(broken)


def test_the_readme_is_a_short_front_door():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; the guides in docs/ are the place for more"


def test_the_readme_leads_to_every_guide():
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in links(README)}
    assert not [guide.name for guide in GUIDES if guide.resolve() not in linked]


def test_every_picture_in_docs_is_shown():
    shown = {(page.parent / unquote(target.partition("#")[0])).resolve() for page in PAGES for target in links(page)}
    pictures = sorted((ROOT / "docs").glob("*.png"))
    assert pictures
    assert not [p.name for p in pictures if p.resolve() not in shown]


def test_slugs_are_githubs():
    assert slug("Echo: will the interviewer hear themselves?") == "echo-will-the-interviewer-hear-themselves"
    assert slug("The JSON report (`--json`, `--report FILE.json`)") == "the-json-report---json---report-filejson"
    assert slug("A career centre's guide") == "a-career-centres-guide"
