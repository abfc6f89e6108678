import pytest
from django.core.management import CommandError, call_command

from tests.harness.servers import Gunicorn


def test_healthcheck_cli_fails_when_nothing_answers():
    with pytest.raises(CommandError, match="did not answer"):
        call_command("healthcheck", "--live", "--url", "http://127.0.0.1:1", "--timeout", "1")


@pytest.mark.servers
def test_healthcheck_cli_passes_against_a_running_app(capsys):
    app = Gunicorn({}, workers=1, threads=1).start()
    try:
        call_command("healthcheck", "--live", "--url", app.base_url)
        assert "200 ok" in capsys.readouterr().out
    finally:
        app.stop()
