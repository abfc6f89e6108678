"""A cap on every uploaded file, applied while the request body is read.

Django stores an upload in memory or in a temporary file before any view runs (the CSRF check already
reads the form), so a per-view size check alone would still let a visitor fill the disk. This handler
runs first in settings.FILE_UPLOAD_HANDLERS: once a file passes UPLOAD_MAX_BYTES the rest of the body
is read and thrown away, the file is dropped, and `request.upload_too_large` is set, so the view can say
why instead of "no file".
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class UploadSizeLimitHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            if self.request is not None:
                self.request.upload_too_large = True
            # Not a connection reset: the browser gets the page that explains the limit.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
