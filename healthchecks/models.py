"""Health checks, their per-region state and results, and the alerting chain.

HealthCheck → HealthCheckRegion (one row per checker region: schedule, lease, streaks)
            → ProbeResult (compact, pruned) and StatusChange (the timeline)
Alarm (check or domain expiry → Topic) → AlarmEvent → Notification (one per subscription).
Status changes and alarm events are rows written in the transaction that makes them; the
alarm dispatcher claims the pending events and enqueues their deliveries (healthchecks/tasks.py).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from kernel.ownership import OwnedQuerySet


class HealthCheck(models.Model):
    """A Route 53-style health check: what to probe, how often, from which regions."""

    HTTP = "http"
    HTTPS = "https"
    HTTP_STR_MATCH = "http_str_match"
    HTTPS_STR_MATCH = "https_str_match"
    TCP = "tcp"
    CALCULATED = "calculated"
    TYPE_CHOICES = [
        (HTTP, "HTTP"),
        (HTTPS, "HTTPS"),
        (HTTP_STR_MATCH, "HTTP with string matching"),
        (HTTPS_STR_MATCH, "HTTPS with string matching"),
        (TCP, "TCP connect"),
        (CALCULATED, "Calculated (from other checks)"),
    ]
    INTERVAL_CHOICES = [(10, "10 seconds (fast)"), (30, "30 seconds (standard)")]

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="health_checks"
    )
    name = models.CharField(max_length=100)
    check_type = models.CharField(max_length=20, choices=TYPE_CHOICES, default=HTTP)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    host_name = models.CharField(max_length=255, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True)
    resource_path = models.CharField(max_length=255, blank=True, default="/")
    host_header = models.CharField(max_length=255, blank=True)
    search_string = models.CharField(max_length=255, blank=True)
    skip_tls_verification = models.BooleanField(default=False)
    request_interval_seconds = models.PositiveSmallIntegerField(choices=INTERVAL_CHOICES, default=30)
    failure_threshold = models.PositiveSmallIntegerField(default=3)
    timeout_seconds = models.FloatField(default=4.0)
    regions = models.JSONField(default=list, blank=True)
    child_checks = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="parent_checks")
    healthy_children_threshold = models.PositiveSmallIntegerField(default=1)
    is_inverted = models.BooleanField(default=False)
    is_disabled = models.BooleanField(default=False)
    is_healthy = models.BooleanField(default=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_calculated(self) -> bool:
        return self.check_type == self.CALCULATED

    @property
    def is_string_match(self) -> bool:
        return self.check_type in (self.HTTP_STR_MATCH, self.HTTPS_STR_MATCH)

    @property
    def is_tls(self) -> bool:
        return self.check_type in (self.HTTPS, self.HTTPS_STR_MATCH)

    @property
    def effective_port(self) -> int | None:
        if self.port:
            return self.port
        if self.check_type == self.TCP or self.is_calculated:
            return None
        return 443 if self.is_tls else 80

    def target_label(self) -> str:
        """What the check probes, as shown in the console."""
        if self.is_calculated:
            return f"at least {self.healthy_children_threshold} of {self.child_checks.count()} checks"
        host = self.ip_address or self.host_name
        if ":" in host:
            host = f"[{host}]"
        if self.check_type == self.TCP:
            return f"tcp://{host}:{self.port}"
        scheme = "https" if self.is_tls else "http"
        return f"{scheme}://{host}:{self.effective_port}{self.resource_path or '/'}"


class HealthCheckRegion(models.Model):
    """One checker region's view of a check: its schedule, its lease and its own streaks."""

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="region_states")
    region = models.CharField(max_length=40)
    next_run_at = models.DateTimeField(default=timezone.now, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Who holds the lease: a claim writes a fresh token, and only its holder may record a result.
    lease_token = models.CharField(max_length=32, blank=True, db_index=True)
    is_healthy = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "health_check__owner"

    class Meta:
        ordering = ["region"]
        constraints = [
            models.UniqueConstraint(fields=["health_check", "region"], name="healthcheck_region_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.health_check_id} in {self.region}"


class ProbeResult(models.Model):
    """One probe's outcome, kept for HEALTHCHECK_RESULT_RETENTION_DAYS."""

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="results")
    region = models.CharField(max_length=40)
    checked_at = models.DateTimeField(default=timezone.now)
    is_success = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    # How late the probe started against its schedule; the bench reads it.
    schedule_lag_ms = models.IntegerField(default=0)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "health_check__owner"

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["health_check", "checked_at"], name="probe_check_time")]

    def __str__(self) -> str:
        return f"{self.region} {'ok' if self.is_success else 'failed'} at {self.checked_at}"


class StatusChange(models.Model):
    """A change of a check's overall status: the timeline."""

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="status_changes")
    changed_at = models.DateTimeField(default=timezone.now)
    is_healthy = models.BooleanField()
    reason = models.CharField(max_length=200, blank=True)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "health_check__owner"

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{'healthy' if self.is_healthy else 'unhealthy'} at {self.changed_at}"


class Topic(models.Model):
    """A named list of subscribers that alarms notify (Route 53 + SNS: a topic)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_topics")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="topic_owner_name_unique")]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """An e-mail address or mobile number on a topic; pending until confirmed."""

    EMAIL = "email"
    SMS = "sms"
    PROTOCOL_CHOICES = [(EMAIL, "E-mail"), (SMS, "SMS")]
    CODE_LIFETIME = timedelta(hours=1)
    MAX_CODE_ATTEMPTS = 5

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    protocol = models.CharField(max_length=10, choices=PROTOCOL_CHOICES)
    endpoint = models.CharField(max_length=254)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    # Set when a confirmation is asked for, cleared when the confirmation dispatcher claims it.
    confirmation_requested_at = models.DateTimeField(null=True, blank=True)
    # The dispatcher's claim: its token rides in the send task, which alone may send it. The
    # time is cleared when a task takes the claim; a claim no task took is asked for again.
    confirmation_claim = models.CharField(max_length=32, blank=True)
    confirmation_claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "topic__owner"

    class Meta:
        ordering = ["protocol", "endpoint"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "protocol", "endpoint"], name="subscription_unique"),
        ]
        indexes = [
            models.Index(
                fields=["confirmation_requested_at"],
                condition=models.Q(confirmation_requested_at__isnull=False),
                name="subscription_confirm_pending",
            ),
            models.Index(
                fields=["confirmation_claimed_at"],
                condition=models.Q(confirmation_claimed_at__isnull=False),
                name="subscription_confirm_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} {self.endpoint}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Alarm(models.Model):
    """Ties a health check, or a domain's expiry, to a topic."""

    OK = "ok"
    ALARM = "alarm"
    STATE_CHOICES = [(OK, "OK"), (ALARM, "In alarm")]

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alarms")
    name = models.CharField(max_length=100)
    health_check = models.ForeignKey(
        HealthCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="alarms"
    )
    # Or a domain's expiry: in alarm from `expiry_warning_days` before the domain expires.
    domain = models.ForeignKey(
        "registrar.Domain", null=True, blank=True, on_delete=models.CASCADE, related_name="expiry_alarms"
    )
    expiry_warning_days = models.PositiveSmallIntegerField(default=30)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="alarms")
    quiet_period_seconds = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=STATE_CHOICES, default=OK)
    # The state last announced to subscribers, so a flap inside the quiet period sends nothing.
    notified_state = models.CharField(max_length=10, choices=STATE_CHOICES, default=OK)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def target_label(self) -> str:
        """What the alarm watches, as shown in the console."""
        if self.health_check_id:
            return f"health check {self.health_check.name}"
        if self.domain_id:
            return f"expiry of {self.domain.name} ({self.expiry_warning_days} days' warning)"
        return "nothing"


class AlarmEvent(models.Model):
    """A change of an alarm's state, announced after the quiet period if it still holds.

    Written pending in the transaction that moves the alarm; the alarm dispatcher claims it
    once `announce_at` has come (a conditional update out of PENDING) and fans it out.
    """

    PENDING = "pending"
    SENT = "sent"
    SUPPRESSED = "suppressed"
    DELIVERY_CHOICES = [(PENDING, "Pending"), (SENT, "Sent"), (SUPPRESSED, "Suppressed (flapping)")]

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=10, choices=Alarm.STATE_CHOICES)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    announce_at = models.DateTimeField(default=timezone.now)
    delivery = models.CharField(max_length=12, choices=DELIVERY_CHOICES, default=PENDING)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "alarm__owner"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The dispatcher's question every second: which pending events are due?
            models.Index(
                fields=["announce_at"], condition=models.Q(delivery="pending"), name="alarm_event_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.state} at {self.created_at}"


class Notification(models.Model):
    """One message to one subscriber for one alarm event; the pair is its idempotency key."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    STATE_CHOICES = [
        (PENDING, "Pending"),
        (SENDING, "Sending"),
        (RETRYING, "Retrying"),
        (SENT, "Sent"),
        (FAILED, "Failed"),
    ]

    event = models.ForeignKey(AlarmEvent, on_delete=models.CASCADE, related_name="notifications")
    subscription = models.ForeignKey(
        Subscription, null=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    protocol = models.CharField(max_length=10, choices=Subscription.PROTOCOL_CHOICES)
    endpoint = models.CharField(max_length=254)
    state = models.CharField(max_length=10, choices=STATE_CHOICES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When a delivery task was last enqueued; one still pending long after is enqueued again.
    enqueued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the attempt in flight (state SENDING) was claimed; another copy of the task may
    # take it over only once that is older than the task's hard time limit.
    sending_since = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="notification_idempotency_key"),
        ]
        indexes = [
            # The alarm dispatcher's repair question: which notifications has no task taken?
            models.Index(
                fields=["enqueued_at"], condition=models.Q(state="pending"), name="notification_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} to {self.endpoint}: {self.state}"


class SmsOutboxMessage(models.Model):
    """A text the development SMS transport kept instead of sending (SMS_GATEWAY_URL empty)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="sms_outbox"
    )
    to_number = models.CharField(max_length=16)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"SMS to {self.to_number}"
