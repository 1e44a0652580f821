"""Every page template, in French, Dutch and English, checked in a real browser: axe-core with the
WCAG 2.2 AA rules, reflow at 320 CSS px, text at 200 %, no third-party request, no web font, and
a page-weight budget. One browser context per identity keeps the run short; axe runs once a page.

axe-core comes from the npm registry (tests/a11y, `npm ci --prefix tests/a11y`); the test reads
its file and injects it, so nothing is fetched from the internet.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Error, Page, Response

from loket.appointments.models import HelpPoint
from loket.appointments.seed import seed_demo_help_points
from loket.catalog.models import Procedure
from loket.certificates.models import IssuedCertificate
from loket.opendata.datasets import available_datasets
from loket.web.statements import write_accessibility_run
from loket.web.weight import DEFAULT_BUDGET
from tests.e2e.journeys import demo_log_in
from tests.test_backoffice_certificates import referred_case

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LANGUAGES = ("fr", "nl", "en")
BUDGET_BYTES = DEFAULT_BUDGET  # HTML + CSS + JS of one page, compressed as the browser receives it
WIDE, NARROW = 1280, 320
SCREENSHOTS = {"home-en", "form-with-errors-en", "my-data-en"}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""
# Elements that cut their own text off: overflow hidden or clipped while their content is wider
# or taller than their box (the visually-hidden helper is meant to be clipped).
CLIPPED = """() => [...document.querySelectorAll("main *")].filter((el) => {
  if (el.closest(".visually-hidden")) return false;
  const style = getComputedStyle(el);
  const cut = ["hidden", "clip"];
  const clips = cut.includes(style.overflowX) || cut.includes(style.overflowY);
  return clips && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
}).map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))"""
LINKED_FILES = """() => [
  ...[...document.querySelectorAll("link[rel=stylesheet][href]")].map((e) => ["css", e.href]),
  ...[...document.querySelectorAll("script[src]")].map((e) => ["js", e.src]),
]"""
# The innermost elements that stick out to the right of the viewport: what makes a page scroll.
STICKING_OUT = """() => [...document.body.querySelectorAll("*")].filter((el) => {
  if (el.closest(".visually-hidden, .table")) return false;
  const edge = document.documentElement.clientWidth + 1;
  return el.getBoundingClientRect().right > edge
    && ![...el.children].some((c) => c.getBoundingClientRect().right > edge);
}).slice(0, 4).map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
  + " «" + (el.textContent || el.value || "").trim().slice(0, 30) + "»")"""
MAIN_OVERFLOW = """() => {
  const main = document.querySelector("main");
  const page = document.documentElement.scrollWidth;
  return {page: page, main: main.scrollWidth, box: main.clientWidth};
}"""


def axe_version() -> str:
    package = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))
    return str(package["version"])


def axe_violations(page: Page) -> list[str]:
    """Run axe-core with the WCAG 2.x A/AA rules on the page as it is now: one line a violation."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['targets'][:3]}"
        for v in page.evaluate(RUN_AXE, WCAG_TAGS)
    ]


@dataclass
class Weight:
    page: str
    url: str
    html: int = 0
    css: int = 0
    js: int = 0
    raw: int = 0

    @property
    def total(self) -> int:
        return self.html + self.css + self.js


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    weights: list[Weight] = field(default_factory=list)
    requests: set[str] = field(default_factory=set)
    fonts: list[str] = field(default_factory=list)
    static_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # url: (raw, gzip)
    # Per page checked: its name, path and axe's violations (the accessibility statement's run).
    axe_runs: list[dict[str, Any]] = field(default_factory=list)


def compressed_size(body: bytes) -> int:
    """What gzip (WhiteNoise's precompressed files, the proxy for HTML) sends for this body."""
    return len(gzip.compress(body, compresslevel=9))


class Visitor:
    """One browser context (one identity) that visits pages and checks each of them."""

    def __init__(self, browser: Browser, base: str, findings: Findings, axe_source: str) -> None:
        self.base = base
        self.findings = findings
        self.axe_source = axe_source
        # axe-core is injected as an inline script: the test tool, not the page, bypasses the CSP.
        self.context: BrowserContext = browser.new_context(
            viewport={"width": WIDE, "height": 900}, bypass_csp=True
        )
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.responses: list[Response] = []
        self.context.on("request", lambda request: findings.requests.add(request.url))
        self.context.on("response", lambda response: self.responses.append(response))

    def open(self, name: str, path: str, status: int = 200) -> None:
        self.responses.clear()
        response = self.page.goto(self.base + path)
        assert response is not None
        if response.status != status:
            self.findings.problems.append(f"{name} {path}: HTTP {response.status}, not {status}")
        self.check(name)

    def after(self, name: str, action: Callable[[Page], Any]) -> None:
        """Check the page that an action (a click, a form sent) leads to."""
        self.responses.clear()
        action(self.page)
        self.page.wait_for_load_state("load")
        self.check(name)

    def check(self, name: str) -> None:
        page, where = self.page, f"{name} ({self.page.url.removeprefix(self.base)})"
        page.add_script_tag(content=self.axe_source)
        violations = page.evaluate(RUN_AXE, WCAG_TAGS)
        path = self.page.url.removeprefix(self.base)
        self.findings.axe_runs.append({"page": name, "path": path, "violations": len(violations)})
        for violation in violations:
            self.findings.problems.append(
                f"{where}: axe {violation['id']} ({violation['impact']}: {violation['help']}) "
                f"at {', '.join(violation['targets'][:5])}"
            )
        self.weigh(name)
        shots = ROOT / "var" / "screenshots"
        if name in SCREENSHOTS:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{name}-{WIDE}.png"))
        page.set_viewport_size({"width": NARROW, "height": 800})
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW:
            culprits = page.evaluate(STICKING_OUT)
            self.findings.problems.append(
                f"{where}: scrolls sideways at 320 px ({width} px wide): {culprits}"
            )
        if name in SCREENSHOTS:
            page.screenshot(path=str(shots / f"{name}-{NARROW}.png"))
        page.set_viewport_size({"width": WIDE, "height": 900})
        page.add_style_tag(content="html { font-size: 200% !important; }")
        sizes = page.evaluate(MAIN_OVERFLOW)
        if sizes["page"] > WIDE or sizes["main"] > sizes["box"] + 1:
            culprits = page.evaluate(STICKING_OUT)
            self.findings.problems.append(f"{where}: overflows with text at 200 %: {culprits}")
        if clipped := page.evaluate(CLIPPED):
            self.findings.problems.append(f"{where}: text clipped at 200 %: {clipped[:5]}")

    def weigh(self, name: str) -> None:
        """HTML of the page plus every stylesheet and script it loads, as if the cache were cold."""
        weight = Weight(name, self.page.url.removeprefix(self.base))
        documents = [
            r
            for r in self.responses
            if r.request.resource_type == "document" and not 300 <= r.status < 400
        ]
        try:
            body = documents[-1].body()
        except (Error, IndexError):
            body = self.page.content().encode()
        weight.raw, weight.html = len(body), compressed_size(body)
        for kind, url in self.page.evaluate(LINKED_FILES):
            if url not in self.findings.static_sizes:
                static = self.context.request.get(url).body()
                self.findings.static_sizes[url] = (len(static), compressed_size(static))
            raw, size = self.findings.static_sizes[url]
            weight.raw += raw
            if kind == "css":
                weight.css += size
            else:
                weight.js += size
        self.findings.fonts += [r.url for r in self.responses if r.request.resource_type == "font"]
        if self.page.evaluate("document.fonts.size"):
            self.findings.fonts.append(f"{name}: @font-face in use")
        self.findings.weights.append(weight)
        if weight.total > BUDGET_BYTES:
            self.findings.problems.append(f"{name}: {weight.total} bytes, over the budget")

    def close(self) -> None:
        self.context.close()


def visit_public_pages(visitor: Visitor, language: str) -> None:
    lang = f"/{language}"
    visitor.open(f"home-{language}", f"{lang}/")
    visitor.open(f"catalogue-{language}", f"{lang}/procedures/")
    visitor.open(f"catalogue-by-administration-{language}", f"{lang}/procedures/?by=administration")
    for procedure_id in Procedure.objects.order_by("id").values_list("id", flat=True):
        visitor.open(f"procedure-{procedure_id}-{language}", f"{lang}/procedures/{procedure_id}/")
    visitor.open(f"search-{language}", f"{lang}/search/?q=parking")
    visitor.open(f"search-no-result-{language}", f"{lang}/search/?q=xqzwvj")
    visitor.open(f"demo-login-{language}", f"{lang}/demo-login/")
    visitor.open(f"open-data-{language}", f"{lang}/open-data/")
    dataset = available_datasets()[0].id
    visitor.open(f"open-data-dataset-{language}", f"{lang}/open-data/{dataset}/")
    visitor.open(f"design-system-{language}", f"{lang}/design-system/")
    visitor.open(f"incidents-{language}", f"{lang}/incidents/")
    visitor.open(f"algorithms-{language}", f"{lang}/algorithms/")
    visitor.open(f"help-points-{language}", f"{lang}/help-points/")
    place = HelpPoint.objects.filter(is_active=True).order_by("pk").first()
    assert place is not None
    visitor.open(f"help-point-{language}", f"{lang}/help-points/{place.pk}/")
    visitor.open(f"not-found-{language}", f"{lang}/no-such-page/", status=404)
    visitor.open(f"accessibility-{language}", f"{lang}/accessibility/")
    visitor.after(
        f"accessibility-report-refused-{language}",
        lambda p: p.locator("main form button[type=submit]").last.click(),
    )
    visitor.open(f"legal-{language}", f"{lang}/legal/")


def visit_application_pages(visitor: Visitor) -> str:
    """The parking card, page by page in every language; returns the reference of the case."""
    form = "/procedures/residents-parking-card/apply"
    for language in LANGUAGES:
        visitor.open(f"consent-{language}", f"/{language}{form}/?review=1")
    page = visitor.page
    page.goto(f"{visitor.base}/en{form}/")
    page.get_by_label("Yes, use the data the administration holds").check()
    page.get_by_role("button", name="Continue").click()
    for language in LANGUAGES:
        visitor.open(f"facts-{language}", f"/{language}{form}/facts/")
    for language in LANGUAGES:
        visitor.open(f"form-{language}", f"/{language}{form}/q/vehicle/")
        visitor.after(
            f"form-with-errors-{language}",
            lambda p: p.locator("main form button[type=submit]").last.click(),
        )
    page.goto(f"{visitor.base}/en{form}/q/vehicle/")
    page.get_by_label("2-XYZ-789").check()
    page.get_by_role("button", name="Continue").click()
    start = timezone.localdate() + timedelta(days=7)  # the form accepts today to 90 days ahead
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_role("button", name="Continue").click()
    for language in LANGUAGES:
        visitor.open(f"check-{language}", f"/{language}{form}/check/")
    page.goto(f"{visitor.base}/en{form}/check/")
    page.get_by_role("button", name="Send the application").click()
    reference = page.locator(".reference").inner_text()
    for language in LANGUAGES:
        lang = f"/{language}"
        visitor.open(f"confirmation-{language}", f"{lang}/my-cases/{reference}/?submitted=1")
        visitor.open(f"my-cases-{language}", f"{lang}/my-cases/")
        visitor.open(f"case-{language}", f"{lang}/my-cases/{reference}/")
        visitor.open(f"my-data-{language}", f"{lang}/my-data/")
        visitor.open(f"my-registers-{language}", f"{lang}/my-data/registers/")
        visitor.open(f"privacy-rights-{language}", f"{lang}/privacy/rights/")
        visitor.open(f"my-appointments-{language}", f"{lang}/appointments/")
    return reference


def write_weights(weights: list[Weight]) -> str:
    lines = [
        f"Page weight (HTML + CSS + JS, gzip-compressed, cold cache); budget {BUDGET_BYTES} bytes.",
        "",
        "| page | path | HTML | CSS | JS | total | uncompressed |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for w in weights:
        lines.append(
            f"| {w.page} | `{w.url}` | {w.html} | {w.css} | {w.js} | {w.total} | {w.raw} |"
        )
    table = "\n".join(lines) + "\n"
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "page-weights.md").write_text(table, encoding="utf-8")
    return table


def publish_misspelled(page: Page) -> None:
    """Send the designer's definition with a misspelled key: the page lists the problems."""
    source = page.locator("#definition").input_value()
    page.locator("#definition").fill(source.replace("pages:", "pagez:", 1))
    page.locator("main form button[type=submit]").click()
    assert page.locator(".error-summary li").count() == 2  # 'pagez' unknown, 'pages' missing


def visit_certificate_pages(visitor: Visitor) -> None:
    """As the agent of Ixelles: a case passed on to a civil servant (its reason, the button to
    issue), the certificate issued from it (sealed by the server, as in use), the revocation form
    with and without its error, and the register of issued certificates."""
    case = f"back-office/cases/{referred_case().reference}/"
    for language in LANGUAGES:
        visitor.open(f"back-office-referred-{language}", f"/{language}/{case}")
    visitor.page.goto(f"{visitor.base}/en/{case}")
    visitor.after(
        "back-office-issued-en",
        lambda p: p.get_by_role("button", name="Issue the certificate").click(),
    )
    number = IssuedCertificate.objects.get(case__reference=case.split("/")[-2]).number
    revoke = f"{case}certificates/{number}/revoke/"
    for language in LANGUAGES:
        visitor.open(f"back-office-delivered-{language}", f"/{language}/{case}")
        visitor.open(f"back-office-revoke-{language}", f"/{language}/{revoke}")
        visitor.open(
            f"back-office-certificates-{language}", f"/{language}/back-office/certificates/"
        )
    visitor.page.goto(f"{visitor.base}/en/{revoke}")
    visitor.after(
        "back-office-revoke-refused-en",
        lambda p: p.get_by_role("button", name="Revoke the certificate").click(),
    )


@pytest.mark.usefixtures("seeded_transactional", "sealing")
def test_every_page_meets_wcag_22_aa_reflows_and_stays_light_in_three_languages(
    browser: Browser, live_server: object
) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/a11y`")
    seed_demo_help_points()
    base = str(live_server)
    findings = Findings()
    axe_source = AXE.read_text(encoding="utf-8")

    visitor = Visitor(browser, base, findings, axe_source)
    for language in LANGUAGES:
        visit_public_pages(visitor, language)
    visitor.close()

    visitor = Visitor(browser, base, findings, axe_source)
    demo_log_in(visitor.page, base, "resident")
    reference = visit_application_pages(visitor)
    visitor.close()

    visitor = Visitor(browser, base, findings, axe_source)
    demo_log_in(visitor.page, base, "agent-parking")
    for language in LANGUAGES:
        visitor.open(f"back-office-{language}", f"/{language}/back-office/")
        visitor.open(f"back-office-case-{language}", f"/{language}/back-office/cases/{reference}/")
        visitor.open(f"back-office-figures-{language}", f"/{language}/back-office/figures/")
        visitor.open(
            f"back-office-statements-{language}", f"/{language}/payments/back-office/statements/"
        )
        visitor.open(
            f"back-office-to-give-back-{language}",
            f"/{language}/payments/back-office/to-give-back/",
        )
    visitor.close()

    for identity, pages in (
        ("agent-ixelles", ["back-office/counter/"]),
        ("helper", ["mandates/helping/", "help-points/manage/"]),
        ("dpo", ["privacy/dpo/requests/"]),
    ):
        visitor = Visitor(browser, base, findings, axe_source)
        demo_log_in(visitor.page, base, identity)
        for language in LANGUAGES:
            for path in pages:
                name = path.strip("/").replace("/", "-")
                visitor.open(f"{name}-{language}", f"/{language}/{path}")
        if identity == "agent-ixelles":
            visit_certificate_pages(visitor)
        visitor.close()
    visitor = Visitor(browser, base, findings, axe_source)
    visitor.open("api-docs", "/api/v1/docs/")
    visitor.close()

    visitor = Visitor(browser, base, findings, axe_source)
    demo_log_in(visitor.page, base, "designer")
    editable = visitor.page.goto(f"{base}/en/designer/")
    assert editable is not None
    first = visitor.page.locator("main a[href*='/designer/']").first.get_attribute("href") or ""
    procedure_id = first.rstrip("/").rsplit("/", 1)[-1]
    for language in LANGUAGES:
        visitor.open(f"designer-{language}", f"/{language}/designer/")
        visitor.open(f"designer-edit-{language}", f"/{language}/designer/{procedure_id}/")
        visitor.after(f"designer-refused-{language}", publish_misspelled)
        visitor.open(
            f"back-office-accessibility-reports-{language}",
            f"/{language}/back-office/accessibility-reports/",
        )
    visitor.close()

    print("\n" + write_weights(findings.weights))
    if os.environ.get("LOKET_WRITE_A11Y_SUMMARY") == "1":
        write_accessibility_run(findings.axe_runs, f"axe-core {axe_version()}")
    foreign = sorted(url for url in findings.requests if not url.startswith(base))
    assert not foreign, f"requests to third parties: {foreign}"
    assert not findings.fonts, f"web fonts loaded: {findings.fonts}"
    assert not findings.problems, f"{len(findings.problems)} problems:\n" + "\n".join(
        findings.problems
    )


def test_axe_reports_what_it_should(browser: Browser) -> None:
    """The harness itself: a field without a label and pale text are reported."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/a11y`")
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>t</h1><input type="text">'
        '<p style="color:#bbb">pale</p></main></html>'
    )
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = {violation["id"] for violation in page.evaluate(RUN_AXE, WCAG_TAGS)}
    context.close()
    assert {"label", "color-contrast"} <= found
