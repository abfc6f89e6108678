"""Security settings parsed from the environment, each case in a fresh process."""

import json

from .test_settings import load

PROBE_KEYS = (
    "AXES_FAILURE_LIMIT AXES_COOLOFF_TIME TRUSTED_PROXY_COUNT TRUSTED_PROXY_IPS TRUSTED_PROXY_HEADER "
    "RATELIMITS RATELIMIT_ENABLED CSRF_COOKIE_HTTPONLY"
)


def security_settings(**env) -> dict:
    import subprocess
    import sys

    from .test_settings import BASE_ENV, ROOT

    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {PROBE_KEYS.split()!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=BASE_ENV | {"DJANGO_SECRET_KEY": "k" * 50} | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_security_defaults():
    s = security_settings()
    assert s["AXES_FAILURE_LIMIT"] == 5
    assert s["AXES_COOLOFF_TIME"] == "0:15:00"
    assert (s["TRUSTED_PROXY_COUNT"], s["TRUSTED_PROXY_HEADER"]) == (0, "HTTP_X_FORWARDED_FOR")
    assert s["TRUSTED_PROXY_IPS"] == []
    assert s["RATELIMIT_ENABLED"] is True and s["CSRF_COOKIE_HTTPONLY"] is True
    assert s["RATELIMITS"]["signup"] == [10, 3600]


def test_security_settings_come_from_the_environment():
    s = security_settings(
        AXES_FAILURE_LIMIT="8",
        AXES_COOLOFF_MINUTES="30",
        TRUSTED_PROXY_COUNT="2",
        TRUSTED_PROXY_IPS="10.0.0.0/8, 2001:db8::/48,192.0.2.7",
        TRUSTED_PROXY_HEADER="X-Real-Forwarded-For",
        RATELIMIT_SIGNUP="3/60",
        RATELIMIT_ANSWER="500/60",
        RATELIMIT_ENABLED="off",
    )
    assert (s["AXES_FAILURE_LIMIT"], s["AXES_COOLOFF_TIME"]) == (8, "0:30:00")
    assert (s["TRUSTED_PROXY_COUNT"], s["TRUSTED_PROXY_HEADER"]) == (2, "HTTP_X_REAL_FORWARDED_FOR")
    assert s["TRUSTED_PROXY_IPS"] == ["10.0.0.0/8", "2001:db8::/48", "192.0.2.7/32"]
    assert s["RATELIMITS"]["signup"] == [3, 60] and s["RATELIMITS"]["answer"] == [500, 60]
    assert s["RATELIMIT_ENABLED"] is False


def test_a_permanent_lockout_or_a_malformed_limit_is_refused_at_start():
    result = load(DJANGO_SECRET_KEY="k" * 50, AXES_COOLOFF_MINUTES="0")
    assert result.returncode != 0 and "AXES_COOLOFF_MINUTES > 0" in result.stderr
    result = load(DJANGO_SECRET_KEY="k" * 50, RATELIMIT_SIGNUP="ten per hour")
    assert result.returncode != 0 and "RATELIMIT_SIGNUP must look like COUNT/SECONDS" in result.stderr


def test_trusted_proxy_addresses_alone_mean_one_proxy():
    assert security_settings(TRUSTED_PROXY_IPS="172.30.250.10")["TRUSTED_PROXY_COUNT"] == 1
    s = security_settings(TRUSTED_PROXY_IPS="")  # as .env.example leaves it
    assert (s["TRUSTED_PROXY_IPS"], s["TRUSTED_PROXY_COUNT"]) == ([], 0)


def test_a_proxy_count_without_proxy_addresses_or_a_malformed_cidr_is_refused_at_start():
    result = load(DJANGO_SECRET_KEY="k" * 50, TRUSTED_PROXY_COUNT="1")
    assert result.returncode != 0 and "TRUSTED_PROXY_IPS is empty" in result.stderr
    result = load(DJANGO_SECRET_KEY="k" * 50, TRUSTED_PROXY_IPS="10.0.0.0/33")
    assert result.returncode != 0 and "'10.0.0.0/33' is not an address or CIDR" in result.stderr
