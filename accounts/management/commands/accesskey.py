"""manage.py accesskey create EMAIL | list [EMAIL] | revoke ID: Route 53 API keys for scripts and CI."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import accesskeys
from accounts.models import AccessKey, User


class Command(BaseCommand):
    help = "Create, list or revoke Route 53 API access keys."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser(
            "create", help="Print a new key as AWS_ACCESS_KEY_ID=… and AWS_SECRET_ACCESS_KEY=… lines."
        )
        create.add_argument("email")
        create.add_argument("--name", default="")
        create.add_argument("--read-only", action="store_true")
        create.add_argument(
            "--zone", type=int, action="append", dest="zone_ids", help="A hosted-zone id; repeat."
        )
        listing = actions.add_parser("list", help="List access keys (of one account, or all).")
        listing.add_argument("email", nargs="?")
        revoke = actions.add_parser("revoke", help="Revoke a key by its access key id.")
        revoke.add_argument("id")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_create(
        self, *, email: str, name: str, read_only: bool, zone_ids: list[int] | None, **_
    ) -> None:
        user = self._user(email)
        try:
            access_key, secret = accesskeys.create_access_key(
                owner=user, name=name, zone_ids=zone_ids, is_read_only=read_only
            )
        except accesskeys.AccessKeyError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"AWS_ACCESS_KEY_ID={access_key.access_key_id}")
        self.stdout.write(f"AWS_SECRET_ACCESS_KEY={secret}")

    def handle_list(self, *, email: str | None, **_) -> None:
        keys = AccessKey.objects.select_related("owner").order_by("created_at")
        if email:
            keys = keys.filter(owner=self._user(email))
        for key in keys:
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            self.stdout.write(
                f"{key.access_key_id}\t{key.owner.email}\t{state}\tlast used {used}\t{key.name}"
            )

    def handle_revoke(self, *, id: str, **_) -> None:
        key = AccessKey.objects.filter(access_key_id=id).first()
        if key is None:
            raise CommandError(f"There is no access key {id}.")
        accesskeys.revoke_access_key(key)
        self.stdout.write(f"Revoked {key.access_key_id}.")

    def _user(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"There is no account {email}.")
        return user
