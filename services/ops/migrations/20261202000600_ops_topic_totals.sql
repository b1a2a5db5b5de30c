-- Events seen per topic since the ops service began reading, kept with each new row so the
-- overview never counts the whole event table.
CREATE TABLE ops_topic_totals (
    topic TEXT PRIMARY KEY,
    seen  BIGINT NOT NULL
);
INSERT INTO ops_topic_totals (topic, seen) SELECT topic, COUNT(*) FROM ops_events GROUP BY topic;
