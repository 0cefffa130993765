import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import accesskeys, forms, scopes, services, twofactor
from accounts.models import AccessKey, ApiToken, User
from kernel.ownership import get_owned_object_or_404
from kernel.views import show_service_error

PENDING_USER_KEY = "accounts:password-checked-user"


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def signup(request: HttpRequest) -> HttpResponse:
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        services.sign_up(email=email, password=form.cleaned_data["password1"])
        # The same page whether or not the address had an account (services.sign_up).
        return render(request, "accounts/signup_done.html", {"email": email})
    return render(request, "accounts/signup.html", {"form": form})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.verify_email(token)
    except services.AccountError as error:
        show_service_error(request, error)
        return redirect("accounts-login")
    messages.success(request, f"Thank you: {user.email} is verified. You can log in now.")
    return redirect("accounts-login")


def resend_verification(request: HttpRequest) -> HttpResponse:
    form = forms.ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], email_verified_at=None).first()
        if user is not None:
            services.send_verification_mail(user)
        # The same answer either way, so the form does not reveal who has an account.
        messages.success(request, "If that address has an unverified account, a new link is on its way.")
        return redirect("accounts-login")
    return render(request, "accounts/resend_verification.html", {"form": form})


def login_view(request: HttpRequest) -> HttpResponse:
    form = forms.LoginForm(request.POST or None, ip_address=client_ip(request))
    if request.method == "POST" and form.is_valid():
        if twofactor.has_two_factor(form.user):
            # The password was right; the session belongs to nobody until the code is too.
            request.session[PENDING_USER_KEY] = form.user.pk
            return redirect(_with_next("accounts-login-code", request))
        login(request, form.user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_next_url(request))
    if form.has_error("__all__", "locked"):
        response = render(request, "accounts/login.html", {"form": form}, status=429)
        response["Retry-After"] = str(form.retry_after_seconds)
        return response
    return render(request, "accounts/login.html", {"form": form})


def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of a log-in, and the check a signed-in session needs before token pages."""
    user = request.user if request.user.is_authenticated else None
    if user is None:
        user = User.objects.filter(pk=request.session.get(PENDING_USER_KEY)).first()
    if user is None:
        return redirect("accounts-login")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.verify_second_factor(user, form.cleaned_data["code"])
        except services.AccountError as error:
            show_service_error(form, error)
        else:
            if not request.user.is_authenticated:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(PENDING_USER_KEY, None)
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(request, "accounts/login_code.html", {"form": form})


def two_factor_verified(view):
    """Views that, once two-factor log-in is on, need a session that gave a code."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if twofactor.has_two_factor(request.user) and not request.user.is_verified():
            return redirect(f"{reverse('accounts-login-code')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapped


def _next_url(request: HttpRequest) -> str:
    next_url = request.GET.get("next", "")
    return next_url if next_url.startswith("/") and not next_url.startswith("//") else "/dashboard/"


def _with_next(url_name: str, request: HttpRequest) -> str:
    next_url = request.GET.get("next", "")
    return f"{reverse(url_name)}?next={next_url}" if next_url else reverse(url_name)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = forms.ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("accounts-profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@two_factor_verified
def password_change(request: HttpRequest) -> HttpResponse:
    """Django's change-password form (old and new password); the session stays logged in."""
    response = auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url=reverse("accounts-profile")
    )(request)
    if request.method == "POST" and response.status_code == 302:
        messages.success(request, "Your password is changed.")
    return response


@login_required
@two_factor_verified
def token_list(request: HttpRequest) -> HttpResponse:
    zone_choices = scopes.zone_directory().zone_choices(request.user)
    form = forms.ApiTokenForm(request.POST or None, zone_choices=zone_choices)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_key = services.create_api_token(
                owner=request.user, name=form.cleaned_data["name"], **form.token_options()
            )
        except services.AccountError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Token {token.name} created. Copy it now: it is shown only once.")
            form = forms.ApiTokenForm(zone_choices=zone_choices)
    tokens = [(token, scopes.describe(token)) for token in ApiToken.objects.owned_by(request.user)]
    return render(request, "accounts/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key})


@login_required
@two_factor_verified
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_owned_object_or_404(ApiToken, request.user, pk=token_id)
    services.revoke_api_token(token)
    messages.success(request, f"Token {token.name} is revoked.")
    return redirect("accounts-token-list")


@login_required
@two_factor_verified
def access_keys(request: HttpRequest) -> HttpResponse:
    """Account → Access keys: keys for the Route 53 API (boto3, the AWS CLI, Terraform …)."""
    zone_choices = scopes.zone_directory().zone_choices(request.user)
    form = forms.ApiTokenForm(request.POST or None, zone_choices=zone_choices)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            new_key = accesskeys.create_access_key(
                owner=request.user, name=form.cleaned_data["name"], **form.token_options()
            )
        except accesskeys.AccessKeyError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "Access key created. Copy the secret now: it is shown only once.")
            form = forms.ApiTokenForm(zone_choices=zone_choices)
    keys = [(key, scopes.describe(key)) for key in AccessKey.objects.owned_by(request.user)]
    context = {"form": form, "keys": keys, "new_key": new_key, "site_url": settings.SITE_URL}
    return render(request, "accounts/access_keys.html", context)


@login_required
@two_factor_verified
@require_POST
def access_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    access_key = get_owned_object_or_404(AccessKey, request.user, pk=key_id)
    accesskeys.revoke_access_key(access_key)
    messages.success(request, f"Access key {access_key.access_key_id} is revoked.")
    return redirect("accounts-access-key-list")


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Account → Two-factor log-in: set up, confirm with a first code, or turn off."""
    form = forms.CodeForm(request.POST or None)
    recovery_codes = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                twofactor.start_setup(request.user)
                form = forms.CodeForm()
            elif action == "confirm" and form.is_valid():
                recovery_codes = twofactor.confirm_setup(request.user, form.cleaned_data["code"])
                otp_login(request, TOTPDevice.objects.get(user=request.user, confirmed=True))
                messages.success(request, "Two-factor log-in is on. Keep the recovery codes somewhere safe.")
            elif action == "disable" and form.is_valid():
                twofactor.disable(request.user, form.cleaned_data["code"])
                messages.success(request, "Two-factor log-in is off.")
                return redirect("accounts-two-factor")
        except services.AccountError as error:
            show_service_error(form, error)
    pending = twofactor.pending_authenticator(request.user)
    context = {
        "form": form,
        "is_on": twofactor.has_two_factor(request.user),
        "pending": pending,
        "qr_code": twofactor.qr_code_svg(pending) if pending else "",
        "secret": twofactor.secret_text(pending) if pending else "",
        "recovery_codes": recovery_codes,
        "recovery_codes_left": twofactor.recovery_codes_left(request.user),
    }
    return render(request, "accounts/two_factor.html", context)
