"""Accessibility audits with the vendored axe-core (tests/vendor/axe-core) inside a Playwright page."""

from functools import cache
from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page, tags=WCAG_21_AA, exclude_rules=()) -> list[dict]:
    """Run axe on the page as loaded and return its violations: id, impact, help, helpUrl and nodes.

    The script goes in through page.evaluate (the DevTools protocol), not a <script> tag: the app's
    Content-Security-Policy refuses inline and foreign scripts, and evaluate is not subject to it, so the
    page is audited exactly as served. A bypass_csp context would also work, but would audit a page whose
    policy is switched off.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    if exclude_rules:
        options["rules"] = {rule: {"enabled": False} for rule in exclude_rules}
    return page.evaluate(
        """async (options) => {
            const results = await window.axe.run(document, options);
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary, html: n.html})),
            }));
        }""",
        options,
    )


def format_violations(violations: list[dict], where: str = "") -> str:
    """A readable assertion message: one block per rule, the offending elements under it."""
    if not violations:
        return f"{where}: no axe violations" if where else "no axe violations"
    lines = [f"{len(violations)} axe violation(s){' on ' + where if where else ''}:"]
    for violation in violations:
        rule, impact, help_text = violation["id"], violation["impact"], violation["help"]
        lines.append(f"- {rule} ({impact}): {help_text} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join((node.get("summary") or "").split())
            lines.append(f"    {target}: {summary}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)
