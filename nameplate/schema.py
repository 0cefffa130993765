"""OpenAPI schema hooks (drf-spectacular): a summary for every operation, for the Swagger page."""

VERBS = {
    "list": "List",
    "create": "Create",
    "retrieve": "Get",
    "update": "Replace",
    "partial_update": "Update",
    "destroy": "Delete",
}


def _one(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def summary_for(operation_id: str, method: str) -> str:
    """'alarms_list' → 'List alarms', 'alarms_retrieve' → 'Get alarm'; a custom action reads as its words."""
    words = operation_id.split("_")
    for action, verb in sorted(VERBS.items(), key=lambda item: -len(item[0].split("_"))):
        action_words = action.split("_")
        if len(words) > len(action_words) and words[-len(action_words) :] == action_words:
            resource = words[: -len(action_words)]
            if action != "list":
                resource = [_one(resource[0]), *resource[1:]]
            return " ".join([verb, *resource]).replace("-", " ")
    return (" ".join(words).replace("-", " ") or method.upper()).capitalize()


def add_summaries(result: dict, generator, request, public) -> dict:
    """Give every operation without one a summary made from its operation id."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if isinstance(operation, dict) and not operation.get("summary"):
                operation["summary"] = summary_for(operation.get("operationId", ""), method)
    return result
