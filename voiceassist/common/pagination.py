"""The API's pagination, every list's default (``REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]``).

A module of its own on purpose: DRF imports the default pagination class while it defines its generic views,
so this module must not import them, nor anything that does (drf-spectacular's schema classes do).
"""

from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """Pages of ``PAGE_SIZE`` (50) by default; ``?page_size=`` up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200
