-- The search index (case_search, 002) is written by the store once per
-- transaction (hub/store_sqlite.c search_flush), not by a trigger per case
-- write: FTS5 flushes its pending terms at every statement savepoint, and
-- with a trigger each later statement of a batch paid for that flush (a
-- third of the hub's CPU per application; bench/README.md "Apply profile").
-- The entries already held stay as they are.
DROP TRIGGER cases_search_insert;
DROP TRIGGER cases_search_update;
