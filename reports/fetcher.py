"""What WeasyPrint may load while it renders a dossier: the project's own static files, nothing else.

A dossier holds text that users typed. It is escaped, but the renderer gets a
second fence: this fetcher answers only addresses under the dossier's private
base address that name a static file of the project (stylesheet, image or font),
found through Django's staticfiles finders. Any other address (http, https
elsewhere, file:, data:, ftp:) is refused without opening anything, so an
``<img src>`` that slipped through could reach no server and read no file.
"""

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative addresses in the dossier's HTML resolve against this; it names no real host.
BASE_URL = "https://dossier.invalid/"
ALLOWED_SUFFIXES = (".css", ".svg", ".png", ".jpg", ".jpeg", ".ttf", ".otf", ".woff", ".woff2")


class RefusedResource(ValueError):
    pass


class StaticFilesOnly(URLFetcher):
    """A WeasyPrint fetcher that serves static files and refuses everything else (``refused`` lists what)."""

    def __init__(self):
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.refused = []
        self.served = []

    def fetch(self, url, headers=None):
        path = self.static_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedResource(f"A dossier may load only the project's static files, not {url[:200]!r}.")
        with open(path, "rb") as handle:
            body = handle.read()
        self.served.append(url)
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

    @staticmethod
    def static_path(url):
        """The file a dossier address names, or None when it is not one of the project's static files."""
        if not isinstance(url, str):
            return None
        parts = urlsplit(url)
        base = urlsplit(BASE_URL)
        prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.query or parts.fragment:
            return None
        if not parts.path.startswith(prefix):
            return None
        relative = unquote(parts.path[len(prefix) :])
        if not relative or "\\" in relative or "\x00" in relative or relative.startswith("/"):
            return None
        if ".." in relative.split("/") or not relative.lower().endswith(ALLOWED_SUFFIXES):
            return None
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation:
            return None
        return found if isinstance(found, str) else None
