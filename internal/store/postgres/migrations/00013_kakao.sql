-- +goose Up
-- Delivery reports and fallback (the kakao channel, Korean SMS/LMS): see the SQLite twin.
ALTER TABLE deliveries
    ADD COLUMN provider_code TEXT     NOT NULL DEFAULT '',
    ADD COLUMN truncated     SMALLINT NOT NULL DEFAULT 0,
    ADD COLUMN fallback_plan TEXT     NOT NULL DEFAULT '',
    ADD COLUMN fallback_text TEXT     NOT NULL DEFAULT '',
    ADD COLUMN fallback      TEXT     NOT NULL DEFAULT '',
    ADD COLUMN fallback_id   TEXT     NOT NULL DEFAULT '',
    ADD COLUMN body          TEXT     NOT NULL DEFAULT '';
CREATE INDEX deliveries_provider_id ON deliveries (provider, provider_id);

CREATE TABLE provider_reports (
    id           BIGSERIAL PRIMARY KEY,
    provider     TEXT     NOT NULL,
    message_id   TEXT     NOT NULL,
    status       TEXT     NOT NULL,
    code         TEXT     NOT NULL DEFAULT '',
    detail       TEXT     NOT NULL DEFAULT '',
    refused      SMALLINT NOT NULL DEFAULT 0,
    fallback     TEXT     NOT NULL DEFAULT '',
    fallback_id  TEXT     NOT NULL DEFAULT '',
    received_at  BIGINT   NOT NULL,
    applied_at   BIGINT,
    CONSTRAINT provider_reports_message UNIQUE (provider, message_id, status)
);
CREATE INDEX provider_reports_pending ON provider_reports (applied_at, received_at);

-- +goose Down
DROP TABLE provider_reports;
DROP INDEX deliveries_provider_id;
ALTER TABLE deliveries DROP COLUMN body, DROP COLUMN fallback_id, DROP COLUMN fallback, DROP COLUMN fallback_text,
    DROP COLUMN fallback_plan, DROP COLUMN truncated, DROP COLUMN provider_code;
