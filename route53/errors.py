"""Route 53's errors: a code from the model (its HTTP status with it) and a message."""


class Route53Error(Exception):
    """An error answered in AWS's ErrorResponse shape; `status` None means the model's for `code`.

    `messages` are InvalidChangeBatch's: every problem of the batch, one `<Message>` each.
    """

    def __init__(
        self, code: str, message: str, *, status: int | None = None, messages: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.messages = messages or []


def invalid_input(message: str) -> Route53Error:
    return Route53Error("InvalidInput", message)


def access_denied(message: str) -> Route53Error:
    return Route53Error("AccessDenied", message, status=403)
