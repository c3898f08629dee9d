"""Background jobs the worker runs (``fieldline reminders run``): each takes the app, owns
its transactions (the services it calls only flush) and is safe to run twice or in two
workers at once. Web Push delivery stays in ``app.push``."""
