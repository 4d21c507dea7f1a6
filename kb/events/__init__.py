"""Association events: plan, find the right audience, invite, track attendance.

Each module has one job and every state change is a function that checks
permission with ``kb.permissions.require``, validates, records (audit trail) and
queues (notifications through ``kb.notifications.notify``) in the caller's
transaction, like ``kb.talents.changes``. Callers commit.

- ``times``, ``validation``: local time zones and event input.
- ``manage``: create, edit, publish, cancel, finish.
- ``queries``: what an actor may see.
- ``audience``: ranked invitee suggestions from the hybrid search.
- ``invitations``, ``registration``: invitations, replies, seats and the waitlist.
- ``checkin``, ``reminders``, ``ics``: the day itself.
- ``feedback``, ``materials``, ``proposals``, ``history``, ``exports``, ``stats``: afterwards.
"""
