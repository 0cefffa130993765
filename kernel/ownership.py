"""One way to scope objects to the user who owns them.

A model opts in with `objects = OwnedQuerySet.as_manager()` and, when the owner is reached
through a parent, `owner_lookup = "hosted_zone__owner"`. Another user's object is always a
404 (never a 403), in the console and in the API.
"""

from typing import Any

from django.db import models
from django.http import Http404


class OwnedQuerySet(models.QuerySet):
    def owned_by(self, user: Any) -> "OwnedQuerySet":
        if not getattr(user, "is_authenticated", False):
            return self.none()
        lookup = getattr(self.model, "owner_lookup", "owner")
        return self.filter(**{lookup: user})


def get_owned_object_or_404(queryset: Any, user: Any, **lookup: Any) -> Any:
    """The one object matching `lookup` that `user` owns; Http404 otherwise.

    `queryset` is a model or a queryset whose manager is an `OwnedQuerySet`.
    """
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._default_manager.all()
    try:
        return queryset.owned_by(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


class OwnedViewSetMixin:
    """For DRF viewsets: list and fetch only the requesting user's objects.

    Set `queryset` on the viewset as usual; `perform_create` stamps the owner on models that
    have an `owner` field.
    """

    def get_queryset(self):
        return super().get_queryset().owned_by(self.request.user)

    def perform_create(self, serializer) -> None:
        model = serializer.Meta.model
        if any(field.name == "owner" for field in model._meta.get_fields()):
            serializer.save(owner=self.request.user)
        else:
            serializer.save()
