"""The API's page-number pagination: DRF's, less the COUNT(*) a page can answer itself."""

from django.core.paginator import Page, Paginator
from rest_framework import pagination


class CountSparingPaginator(Paginator):
    """Django's paginator that reads the page before counting.

    A page shorter than the page size is the last one, so the count is its offset plus its
    length, and the COUNT(*) query is left out: most lists (a user's zones, a zone's change
    batches) fit on their first page. Only a full page, or an empty one past the first, is
    counted. The answer is the same as Django's, errors included.
    """

    def page(self, number: int | str) -> Page:
        try:
            bottom = (int(number) - 1) * self.per_page
        except (TypeError, ValueError):
            return super().page(number)  # Django's own error for a page that is not a number
        if bottom < 0 or self.orphans:
            return super().page(number)
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if len(rows) < self.per_page and (rows or bottom == 0):
            self.count = bottom + len(rows)
        return self._get_page(rows, self.validate_number(number), self)


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = CountSparingPaginator
    page_size_query_param = "page_size"
    max_page_size = 500
