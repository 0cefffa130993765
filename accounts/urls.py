from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("signup/", views.signup, name="accounts-signup"),
    path("verify/<str:token>/", views.verify_email, name="accounts-verify-email"),
    path("verify-again/", views.resend_verification, name="accounts-resend-verification"),
    path("login/", views.login_view, name="accounts-login"),
    path("login/code/", views.login_code, name="accounts-login-code"),
    path("two-factor/", views.two_factor, name="accounts-two-factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="accounts-logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="emails/password_reset_body.txt",
            html_email_template_name="emails/password_reset_body.html",
            subject_template_name="emails/password_reset_subject.txt",
            extra_email_context={"site_name": settings.SITE_NAME},
            success_url="/account/password-reset/sent/",
        ),
        name="accounts-password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="accounts-password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html", success_url="/account/password-reset/done/"
        ),
        name="accounts-password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_done.html"),
        name="accounts-password-reset-done",
    ),
    path("profile/", views.profile, name="accounts-profile"),
    path("password/", views.password_change, name="accounts-password-change"),
    path("tokens/", views.token_list, name="accounts-token-list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="accounts-token-revoke"),
    path("access-keys/", views.access_keys, name="accounts-access-key-list"),
    path("access-keys/<int:key_id>/revoke/", views.access_key_revoke, name="accounts-access-key-revoke"),
]
