-- The review queue for a team (issue 14, item 2): additive.
--
-- assignee: the staff login a case is assigned to (NULL: nobody); set by
-- hub_review_assign, recorded in the history (events kind 'assigned') and
-- the audit log.
ALTER TABLE cases ADD COLUMN assignee TEXT;
CREATE INDEX cases_assignee ON cases(assignee);

-- attention_at: when the case last needed a reviewer — its receipt, or its
-- return from needs_info (the laptop's needs_info → submitted, which the hub
-- receives at once); the queue orders by it, oldest first.
-- resubmitted_at: the latest return from needs_info (NULL: never came back).
-- Kept by triggers on the history, so the apply path (hub/apply.c) writes
-- nothing new: the events are written there already.
ALTER TABLE cases ADD COLUMN attention_at TEXT;
ALTER TABLE cases ADD COLUMN resubmitted_at TEXT;
-- the queue's order (store_staff.c SORT_KEY): the same expression, so a page
-- of the whole queue reads only its rows
CREATE INDEX cases_attention ON cases(coalesce(attention_at, created_at));

CREATE TRIGGER events_attention AFTER INSERT ON events
WHEN new.kind = 'transition' AND new.to_status = 'received'
BEGIN
	UPDATE cases SET attention_at = new.at WHERE id = new.case_id;
END;

CREATE TRIGGER events_resubmitted AFTER INSERT ON events
WHEN new.kind = 'transition' AND new.from_status = 'needs_info' AND new.to_status = 'submitted'
BEGIN
	UPDATE cases SET resubmitted_at = new.at, attention_at = new.at WHERE id = new.case_id;
END;

-- cases held before this migration: the same from their history, else the
-- time the hub stored the case
UPDATE cases SET
	attention_at = coalesce((SELECT max(e.at) FROM events e WHERE e.case_id = cases.id
				 AND e.kind = 'transition' AND (e.to_status = 'received'
				 OR (e.from_status = 'needs_info' AND e.to_status = 'submitted'))),
				created_at),
	resubmitted_at = (SELECT max(e.at) FROM events e WHERE e.case_id = cases.id
			  AND e.kind = 'transition' AND e.from_status = 'needs_info'
			  AND e.to_status = 'submitted');
