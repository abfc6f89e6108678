"""The throwaway-server harness for tests and benchmarks: private PostgreSQL, Redis, PgBouncer, HAProxy
and gunicorn (servers.py), a cookie-keeping client (client.py), the route walker (urlwalk.py), axe-core
audits in a Playwright page (axe.py), and the test-only routes with the settings that mount them (urls.py,
views.py, settings.py)."""
