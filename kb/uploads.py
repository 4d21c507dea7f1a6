"""The product's one upload limit, shared by every kind of upload.

The limit in force is the setting ``web.max_upload_mb`` (config/default.toml,
``KB_MAX_UPLOAD_MB``); the loader copies it into the request limit, the
consultation attachment limit and the event material limit. The default here
only fills sections that are built by hand (tests, library callers), and a
test holds it equal to config/default.toml.
"""

MB = 1024 * 1024
DEFAULT_MAX_UPLOAD_MB = 10
DEFAULT_MAX_UPLOAD_BYTES = DEFAULT_MAX_UPLOAD_MB * MB
