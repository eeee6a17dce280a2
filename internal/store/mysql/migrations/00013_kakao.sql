-- +goose Up
-- Delivery reports and fallback (the kakao channel, Korean SMS/LMS): see the SQLite twin.
ALTER TABLE deliveries
    ADD COLUMN provider_code VARCHAR(64)  NOT NULL DEFAULT '',
    ADD COLUMN truncated     TINYINT      NOT NULL DEFAULT 0,
    ADD COLUMN fallback_plan VARCHAR(8)   CHARACTER SET ascii NOT NULL DEFAULT '',
    ADD COLUMN fallback_text TEXT         NOT NULL DEFAULT (''),
    ADD COLUMN fallback      VARCHAR(8)   CHARACTER SET ascii NOT NULL DEFAULT '',
    ADD COLUMN fallback_id   VARCHAR(255) NOT NULL DEFAULT '',
    ADD COLUMN body          TEXT         NOT NULL DEFAULT (''),
    ADD KEY deliveries_provider_id (provider, provider_id);

CREATE TABLE provider_reports (
    id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    provider     VARCHAR(64)  CHARACTER SET ascii NOT NULL,
    message_id   VARBINARY(255) NOT NULL,
    status       VARCHAR(16)  CHARACTER SET ascii NOT NULL,
    code         VARCHAR(64)  NOT NULL DEFAULT '',
    detail       TEXT         NOT NULL DEFAULT (''),
    refused      TINYINT      NOT NULL DEFAULT 0,
    fallback     VARCHAR(8)   CHARACTER SET ascii NOT NULL DEFAULT '',
    fallback_id  VARCHAR(255) NOT NULL DEFAULT '',
    received_at  BIGINT       NOT NULL,
    applied_at   BIGINT       NULL,
    UNIQUE KEY provider_reports_message (provider, message_id, status),
    KEY provider_reports_pending (applied_at, received_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE provider_reports;
ALTER TABLE deliveries DROP KEY deliveries_provider_id, DROP COLUMN body, DROP COLUMN fallback_id, DROP COLUMN fallback,
    DROP COLUMN fallback_text, DROP COLUMN fallback_plan, DROP COLUMN truncated, DROP COLUMN provider_code;
