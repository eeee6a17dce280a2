-- +goose Up
-- Delivery reports and fallback (the kakao channel, Korean SMS/LMS). provider_code is the
-- provider's result code; truncated marks a text cut to fit an LMS. fallback_plan and
-- fallback_text are what an AlimTalk falls back to (sms|lms and the text) if Kakao cannot
-- deliver it; fallback and fallback_id say it did, and as what. body is a delivery's own
-- text (a fallback SMS sends the AlimTalk's text, not the notification's message).
ALTER TABLE deliveries ADD COLUMN provider_code TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN fallback_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN fallback_text TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN fallback TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN fallback_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN body TEXT NOT NULL DEFAULT '';
CREATE INDEX deliveries_provider_id ON deliveries (provider, provider_id);

-- Reports as received: one row per (provider, message, status), so a replayed report is
-- a duplicate; applied_at stays NULL until the delivery it names is found (a report can
-- arrive before the send's commit).
CREATE TABLE provider_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    provider     TEXT    NOT NULL,
    message_id   TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    code         TEXT    NOT NULL DEFAULT '',
    detail       TEXT    NOT NULL DEFAULT '',
    refused      INTEGER NOT NULL DEFAULT 0,
    fallback     TEXT    NOT NULL DEFAULT '',
    fallback_id  TEXT    NOT NULL DEFAULT '',
    received_at  INTEGER NOT NULL,
    applied_at   INTEGER,
    UNIQUE (provider, message_id, status)
);
CREATE INDEX provider_reports_pending ON provider_reports (applied_at, received_at);

-- +goose Down
DROP TABLE provider_reports;
DROP INDEX deliveries_provider_id;
ALTER TABLE deliveries DROP COLUMN body;
ALTER TABLE deliveries DROP COLUMN fallback_id;
ALTER TABLE deliveries DROP COLUMN fallback;
ALTER TABLE deliveries DROP COLUMN fallback_text;
ALTER TABLE deliveries DROP COLUMN fallback_plan;
ALTER TABLE deliveries DROP COLUMN truncated;
ALTER TABLE deliveries DROP COLUMN provider_code;
