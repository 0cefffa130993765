"""Console pages of this app, mounted at the site root by nameplate/urls.py."""

from django.urls import path

from healthchecks import fragments, views

urlpatterns = [
    path("healthchecks/", views.check_list, name="healthchecks-check-list"),
    path("healthchecks/new/", views.check_create, name="healthchecks-check-create"),
    path("healthchecks/demo-target/", views.demo_target_switch, name="healthchecks-demo-target-switch"),
    path("healthchecks/<int:check_id>/", views.check_detail, name="healthchecks-check-detail"),
    path("healthchecks/<int:check_id>/edit/", views.check_edit, name="healthchecks-check-edit"),
    path("healthchecks/<int:check_id>/disable/", views.check_disable, name="healthchecks-check-disable"),
    path("healthchecks/<int:check_id>/delete/", views.check_delete, name="healthchecks-check-delete"),
    path("healthchecks/<int:check_id>/latency.json", views.check_latency, name="healthchecks-check-latency"),
    path("healthchecks/table/", fragments.check_table, name="healthchecks-check-table"),
    path("healthchecks/<int:check_id>/status/", fragments.check_status, name="healthchecks-check-status"),
    path("healthchecks/<int:check_id>/chart.json", fragments.check_chart, name="healthchecks-check-chart"),
    path("alerts/alarms/chart.json", fragments.alarm_chart, name="healthchecks-alarm-chart"),
    path("alerts/", views.topic_list, name="healthchecks-topic-list"),
    path("alerts/topics/<int:topic_id>/", views.topic_detail, name="healthchecks-topic-detail"),
    path("alerts/topics/<int:topic_id>/delete/", views.topic_delete, name="healthchecks-topic-delete"),
    path(
        "alerts/subscriptions/<int:subscription_id>/resend/",
        views.subscription_resend,
        name="healthchecks-subscription-resend",
    ),
    path(
        "alerts/subscriptions/<int:subscription_id>/confirm/",
        views.subscription_confirm_code,
        name="healthchecks-subscription-confirm-code",
    ),
    path(
        "alerts/subscriptions/<int:subscription_id>/delete/",
        views.subscription_delete,
        name="healthchecks-subscription-delete",
    ),
    path(
        "alerts/confirm/<str:token>/",
        views.subscription_confirm_link,
        name="healthchecks-subscription-confirm-link",
    ),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="healthchecks-unsubscribe"),
    path("alerts/alarms/", views.alarm_list, name="healthchecks-alarm-list"),
    path("alerts/alarms/<int:alarm_id>/", views.alarm_edit, name="healthchecks-alarm-edit"),
    path("alerts/alarms/<int:alarm_id>/delete/", views.alarm_delete, name="healthchecks-alarm-delete"),
    path("alerts/history/", views.notification_list, name="healthchecks-notification-list"),
    path("alerts/sms-outbox/", views.sms_outbox, name="healthchecks-sms-outbox"),
]
