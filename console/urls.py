from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from console import tool_views, views

account_urls = [
    path("signup/", views.signup, name="console-signup"),
    path("verify/<str:token>/", views.verify_email, name="console-verify-email"),
    path("verify-again/", views.resend_verification, name="console-resend-verification"),
    path("login/", views.login_view, name="console-login"),
    path("logout/", auth_views.LogoutView.as_view(), name="console-logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="console/password_reset.html",
            email_template_name="emails/password_reset_body.txt",
            html_email_template_name="emails/password_reset_body.html",
            subject_template_name="emails/password_reset_subject.txt",
            extra_email_context={"site_name": settings.SITE_NAME},
            success_url="/account/password-reset/sent/",
        ),
        name="console-password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="console/password_reset_sent.html"),
        name="console-password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="console/password_reset_confirm.html", success_url="/account/password-reset/done/"
        ),
        name="console-password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="console/password_reset_done.html"),
        name="console-password-reset-done",
    ),
    path("profile/", views.profile, name="console-profile"),
    path("tokens/", views.token_list, name="console-token-list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="console-token-revoke"),
]

api_urls = [
    path("", include("console.api_urls")),
    path("", include("registrar.api_urls")),
    path("", include("zones.api_urls")),
    path("", include("healthchecks.api_urls")),
]

urlpatterns = [
    path("", views.home, name="console-home"),
    path("dashboard/", views.dashboard, name="console-dashboard"),
    path("dashboard/queries.json", views.dashboard_queries, name="console-dashboard-queries"),
    path("account/", include(account_urls)),
    path("tools/", tool_views.tool_index, name="console-tool-index"),
    path("tools/trace/", tool_views.trace, name="console-tool-trace"),
    path("tools/test-answer/", tool_views.test_answer, name="console-tool-test-answer"),
    path("api/v1/", include(api_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("", include("registrar.urls")),
    path("", include("zones.urls")),
    path("", include("healthchecks.urls")),
]
