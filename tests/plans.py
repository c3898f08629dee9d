"""What a request sends to the database, and how the database plans it: the plan tests'
shared helpers (an index behind every query, no scan of a big table)."""
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def captured_statements(keep=lambda statement: True):
    """The (statement, parameters) the driver receives while the block runs, those
    ``keep(statement)`` accepts."""
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if keep(statement):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)


def plan_lines(statement, parameters, connection=None, seqscan=False) -> list[str]:
    """The database's plan of one statement, a line per node. On PostgreSQL with sequential
    scans off for the transaction (the test tables are too small for the planner to prefer
    an index on its own; at 100,000 rows it does), so a plan that can only scan says so;
    ``seqscan=True`` keeps them, for a test that loaded enough rows and ran ANALYZE to
    plan with realistic statistics."""
    connection = connection if connection is not None else db.session.connection()
    if connection.dialect.name == "sqlite":
        return [row[-1] for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters)]
    if not seqscan:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return [row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)]


def plan_text(statement, parameters, connection=None, seqscan=False) -> str:
    return "\n".join(plan_lines(statement, parameters, connection, seqscan))
