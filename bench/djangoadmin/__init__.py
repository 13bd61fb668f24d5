"""Django's admin over the same tables as the officers' queues, for bench/django_admin.py only (a bench
dependency: bench/requirements.txt). Unmanaged models: Django never creates or alters these tables."""
