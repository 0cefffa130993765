from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import forms, services
from accounts.models import ApiToken, User
from kernel.ownership import get_owned_object_or_404
from kernel.views import show_service_error


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
        login(request, form.user, backend="django.contrib.auth.backends.ModelBackend")
        next_url = request.GET.get("next", "")
        return redirect(
            next_url if next_url.startswith("/") and not next_url.startswith("//") else "console-dashboard"
        )
    if form.has_error("__all__", "locked"):
        response = render(request, "accounts/login.html", {"form": form}, status=429)
        response["Retry-After"] = str(form.retry_after_seconds)
        return response
    return render(request, "accounts/login.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = forms.ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("accounts-profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = forms.ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_key = services.create_api_token(owner=request.user, name=form.cleaned_data["name"])
        except services.AccountError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Token {token.name} created. Copy it now: it is shown only once.")
            form = forms.ApiTokenForm()
    tokens = ApiToken.objects.owned_by(request.user)
    return render(request, "accounts/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_owned_object_or_404(ApiToken, request.user, pk=token_id)
    services.revoke_api_token(token)
    messages.success(request, f"Token {token.name} is revoked.")
    return redirect("accounts-token-list")
