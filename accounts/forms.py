from datetime import timedelta

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.utils import timezone

from accounts import services
from accounts.models import User


class SignUpForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ.")
        elif password1:
            try:
                password_validation.validate_password(password1, User(email=cleaned.get("email", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, ip_address: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ip_address = ip_address
        self.user: User | None = None
        self.is_unverified = False
        self.retry_after_seconds = 0

    def clean(self) -> dict:
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if not email or not password:
            return cleaned
        attempt = services.start_login_attempt(email=email, ip_address=self.ip_address)
        if attempt.is_locked:
            self.retry_after_seconds = attempt.retry_after_seconds
            minutes = max(1, round(attempt.retry_after_seconds / 60))
            unit = "minute" if minutes == 1 else "minutes"
            raise forms.ValidationError(
                f"Too many failed log-in attempts; try again in {minutes} {unit}.",
                code="locked",
            )
        user = authenticate(email=email.lower(), password=password)
        if user is None:
            raise forms.ValidationError("The e-mail address or the password is wrong.", code="invalid_login")
        services.finish_login_attempt(attempt, email=email)
        if not user.is_email_verified:
            self.is_unverified = True
            raise forms.ValidationError(
                f"Verify your e-mail address first: follow the link we sent to {user.email}.",
                code="unverified",
            )
        self.user = user
        return cleaned


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["mobile_number"]


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [
        ("", "Never"),
        ("7", "In 7 days"),
        ("30", "In 30 days"),
        ("90", "In 90 days"),
        ("365", "In a year"),
    ]

    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'deploy script'.")
    is_read_only = forms.TypedChoiceField(
        label="Access",
        choices=[("", "Read and write"), ("1", "Read only")],
        coerce=bool,
        empty_value=False,
        required=False,
    )
    zone_ids = forms.TypedMultipleChoiceField(
        label="Hosted zones",
        coerce=int,
        required=False,
        help_text=(
            "Leave all unticked for every zone, now and later. "
            "A token limited to zones can use only the hosted-zone API."
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires", choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, zone_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone_ids"].choices = zone_choices

    def token_options(self) -> dict:
        """The scope and expiry as create_api_token takes them."""
        days = self.cleaned_data.get("expires_in_days")
        return {
            "zone_ids": self.cleaned_data["zone_ids"] or None,
            "is_read_only": self.cleaned_data["is_read_only"],
            "expires_at": timezone.now() + timedelta(days=days) if days else None,
        }


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="The six digits your authenticator app shows now, or one of your recovery codes.",
    )
