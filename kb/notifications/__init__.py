"""Notifications: an in-app inbox for every role, and email through the queue."""

from kb.notifications.inbox import inbox, mark_read, notify, unread_count

__all__ = ["inbox", "mark_read", "notify", "unread_count"]
