"""Known XSS payloads, and an HTML audit that fails on anything executable in a page."""

import re
from html.parser import HTMLParser

XSS_PAYLOADS = [
    "<script>alert('xss-1')</script>",
    "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert('xss-2')</scr</script>ipt>",
    "<img src=x onerror=\"alert('xss-3')\">",
    "<img src=x onerror=alert(1)//",
    '<body onload="alert(1)">',
    "<a href=\"javascript:alert('xss-4')\">click</a>",
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">click</a>',
    "[markdown link](javascript:alert('xss-5'))",
    "![markdown image](javascript:alert('xss-6'))",
    "[ref link][1]\n\n[1]: javascript:alert('xss-ref')",
    '<svg onload="alert(\'xss-7\')"><circle r="5"/></svg>',
    '<svg><script>alert("xss-8")</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><animate onbegin="alert(1)" attributeName="x"/></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert("xss-9")>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="javascript:alert(1)">',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<p onmouseover="alert(1)">hover</p>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button></form>',
    '<input autofocus onfocus="alert(1)">',
    '<details open ontoggle="alert(1)">x</details>',
    '"><script>alert(1)</script>',
    '<img src="x" alt=\'"onerror=alert(1) \'>',
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<!--<script>alert(1)</script>-->",
    "<style>body{background:red}</style>",
    '<a href="https://example.org" onclick="alert(1)">click</a>',
    '<img src="https://example.org/x.png" srcset="javascript:alert(1)">',
    "<<script>script>alert(1)<</script>/script>",
    '```html\n<script>alert("inside a code block this is only text")</script>\n```',
]

_EXECUTABLE_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "form", "input", "base"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "data", "poster"}
_SAFE_URL = re.compile(r"^(https?:|mailto:|/|#|\?|[\w.-]+($|[/?#]))", re.IGNORECASE)


class _Audit(HTMLParser):
    def __init__(self, allow_head_tags: bool):
        super().__init__(convert_charrefs=True)
        self.allow_head_tags = allow_head_tags
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _EXECUTABLE_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            self.problems.append("<meta http-equiv>")
        if tag in {"meta", "link"} and not self.allow_head_tags:
            self.problems.append(f"<{tag}> in a body")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in _URL_ATTRIBUTES and value is not None:
                cleaned = re.sub(r"[\x00-\x20]", "", value)
                if not _SAFE_URL.match(cleaned):
                    self.problems.append(f"{tag}[{name}={value!r}]")


def executable_markup(html: str, *, page: bool = False) -> list[str]:
    """Everything in `html` that could run script; a whole page may have its own <meta>/<link>."""
    audit = _Audit(allow_head_tags=page)
    audit.feed(html)
    audit.close()
    return audit.problems
