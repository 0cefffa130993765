from django.apps import AppConfig


class DnsFirewallConfig(AppConfig):
    name = "dnsfirewall"
    verbose_name = "DNS Firewall"
    default_auto_field = "django.db.models.BigAutoField"
