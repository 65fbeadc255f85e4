-- Last-writer-wins registers, one row per entity instead of one per field.
--
-- 001 kept a row per leaf field path (with a copy of the value already in
-- the entity's doc): ~28 rows and 4 KB per application, most of the hub's
-- apply time.  Now each entity has one JSON object that groups its field
-- paths by the stamp that wrote them:
--   {"<16 hex hlc>:<device id>": ["number", "applicant.surname", ...], ...}
-- A new application is one group; an edit moves its paths to a new group.
CREATE TABLE stamps (
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	stamps TEXT NOT NULL,
	PRIMARY KEY (entity, entity_id)
) WITHOUT ROWID;

INSERT INTO stamps(entity, entity_id, stamps)
SELECT entity, entity_id, json_group_object(st, json(paths))
FROM (SELECT entity, entity_id, printf('%016x:%s', hlc, device) AS st,
	     json_group_array(path) AS paths
      FROM fields GROUP BY entity, entity_id, hlc, device)
GROUP BY entity, entity_id;

DROP TABLE fields;
