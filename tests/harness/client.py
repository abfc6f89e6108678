"""A tiny cookie-keeping HTTP client for tests that talk to a real server (gunicorn, HAProxy)."""

import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor: keeps cookies, sends the CSRF token with POSTs, never follows redirects."""

    def __init__(self, base_url: str, timeout: float = 15):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, bytes]:
        body = None
        headers = {}
        if method == "POST":
            if self.cookie("csrftoken") is None:
                self.request("GET", "/accounts/login/")  # any form page sets the CSRF cookie
            data = {**(data or {}), "csrfmiddlewaretoken": self.cookie("csrftoken")}
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = self.base_url + path
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not an HTTP URL: {url}")
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def post(self, path: str, data: dict | None = None) -> tuple[int, bytes]:
        return self.request("POST", path, data)

    def get_json(self, path: str) -> dict:
        status, body = self.get(path)
        if status != 200:
            raise AssertionError(f"GET {path} answered {status}: {body[:500]!r}")
        return json.loads(body)

    def signup(self, email: str, password: str, display_name: str = "") -> None:
        data = {"email": email, "display_name": display_name, "password1": password, "password2": password}
        status, body = self.post("/accounts/signup/", data)
        if status != 302:
            raise AssertionError(f"signup answered {status}: {body[:500]!r}")

    def login(self, username: str, password: str) -> None:
        status, body = self.post("/accounts/login/", {"username": username, "password": password})
        if status != 302:
            raise AssertionError(f"login answered {status}: {body[:500]!r}")
