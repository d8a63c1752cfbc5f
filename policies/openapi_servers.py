"""The server URLs an inline OpenAPI schema declares: where a gateway target sends its calls."""

try:
    import yaml
except ImportError:  # pragma: no cover - pulumi depends on PyYAML
    yaml = None


def server_urls(payload: str) -> list:
    """The ``url`` of each entry of ``servers`` in an OpenAPI document (YAML or JSON); [] when it cannot be read."""
    try:
        document = yaml.safe_load(payload) if yaml else None
    except Exception:  # noqa: BLE001 - a schema we cannot read is AgentCore's to reject
        return []
    servers = document.get("servers") if isinstance(document, dict) else None
    return [server.get("url") if isinstance(server, dict) else server for server in servers or []]
