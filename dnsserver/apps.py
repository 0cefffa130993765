from django.apps import AppConfig


class DnsServerConfig(AppConfig):
    name = "dnsserver"
    verbose_name = "DNS server"
