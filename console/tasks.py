from celery import shared_task


@shared_task(name="console.ping")
def ping(value: str) -> str:
    """Answer `pong <value>`: proves a worker is consuming the queue and results come back."""
    return f"pong {value}"
