"""API endpoints of this app, mounted under /api/v1/ by console/urls.py."""

urlpatterns: list = []
