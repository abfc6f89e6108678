import pytest
from django.test import Client

from prepnexus import views

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("handler", "status", "text"),
    [
        (views.bad_request, 400, b"Bad request"),
        (views.permission_denied, 403, b"Not allowed"),
        (views.page_not_found, 404, b"Page not found"),
        (views.server_error, 500, b"Something went wrong"),
        (views.service_unavailable, 503, b"Back shortly"),
    ],
)
def test_error_pages_render_without_touching_the_database(
    rf, handler, status, text, django_assert_num_queries
):
    request = rf.get("/anything")
    with django_assert_num_queries(0):
        response = (
            handler(request)
            if handler in (views.server_error, views.service_unavailable)
            else handler(request, Exception("x"))
        )
    assert response.status_code == status
    assert text in response.content
    assert b"/static/css/site." in response.content


def test_503_page_says_when_to_retry_and_retries_by_itself(rf):
    response = views.service_unavailable(rf.get("/"))
    assert response["Retry-After"] == "5"
    # A page load that meets a database restart mid-test is retried by the browser, no click needed.
    assert b'<meta http-equiv="refresh" content="5">' in response.content


def test_unknown_url_gets_branded_404_with_no_queries(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_unhandled_exception_gets_branded_500(settings):
    settings.ROOT_URLCONF = "prepnexus.tests.urls_boom"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Traceback" not in response.content
