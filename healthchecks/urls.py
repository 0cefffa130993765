"""Console pages of this app, mounted at the site root by console/urls.py."""

urlpatterns: list = []
