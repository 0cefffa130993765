"""What Route 53's API keeps about a health check that the healthchecks app has no field for."""

from django.db import models


class HealthCheckReference(models.Model):
    """A health check's CallerReference (CreateHealthCheck's idempotency), its tags, its version
    (UpdateHealthCheck's HealthCheckVersion) and MeasureLatency, which our checks always do."""

    health_check = models.OneToOneField(
        "healthchecks.HealthCheck", on_delete=models.CASCADE, related_name="route53_reference"
    )
    caller_reference = models.CharField(max_length=64)
    tags = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    measure_latency = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["health_check", "caller_reference"], name="route53_hc_reference")
        ]

    def __str__(self) -> str:
        return self.caller_reference
