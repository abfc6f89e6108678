"""The learner's data export: the page and the streamed download."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render

from ..formats import export


@login_required
def export_index(request):
    return render(request, "practice/export_index.html")


@login_required
def export_download(request, fmt):
    if fmt == "zip":
        response = StreamingHttpResponse(export.zip_stream(request.user), content_type="application/zip")
        name = "prepnexus-export.zip"
    elif fmt == "json":
        response = StreamingHttpResponse(export.json_stream(request.user), content_type="application/json")
        name = "prepnexus-export.json"
    else:
        raise Http404("Unknown export format.")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
