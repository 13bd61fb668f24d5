from datetime import datetime, timezone


def utcnow() -> datetime:
    """Timezone-aware now; every timestamp is stored in UTC."""
    return datetime.now(timezone.utc)
