-- The relay looks for older unpublished rows of the same key (case) before claiming one.
CREATE INDEX outbox_key_pending ON outbox (event_key, published_at, created_at);
