-- Optimistic lock, as every changed row of the system has one: each change of a title
-- review or a card is made at the version it was read at and moves it on, so of two
-- concurrent changes exactly one wins (the other is told the row changed meanwhile).
ALTER TABLE title_reviews ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE si_cards ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
