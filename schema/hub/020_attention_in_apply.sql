-- 020: the queue's attention_at is written by the apply path in the same
-- UPDATE that sets the case's status on receipt (hub_store_case_set_status),
-- no longer by a trigger on the history: the trigger rewrote the whole case
-- row a second time for every application received (issue 12, the apply
-- path's cost).  The resubmission trigger (needs_info → submitted, rare)
-- stays.
DROP TRIGGER events_attention;
