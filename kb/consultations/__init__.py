"""Expert consultation: from a policy unit's need to advice adopted into policy.

Every state change is a function in this package that checks permission with
``kb.permissions.require``, validates, records (transition rows and the audit
trail) and queues notifications in the caller's transaction. Views and the API
only call these functions; they decide nothing by themselves.
"""
