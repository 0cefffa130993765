"""API endpoints of this app, mounted under /api/v1/ by nameplate/urls.py."""

from rest_framework.routers import SimpleRouter

from healthchecks import api

router = SimpleRouter(trailing_slash=False)
router.register("healthchecks", api.HealthCheckViewSet, basename="api-healthcheck")
router.register("alert-topics", api.TopicViewSet, basename="api-alert-topic")
router.register("alert-subscriptions", api.SubscriptionViewSet, basename="api-alert-subscription")
router.register("alarms", api.AlarmViewSet, basename="api-alarm")
router.register("alert-notifications", api.NotificationViewSet, basename="api-alert-notification")
router.register("sms-outbox", api.SmsOutboxViewSet, basename="api-sms-outbox")

urlpatterns = router.urls
