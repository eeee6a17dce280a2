-- +goose Up
-- internal/store/sqlite/migrations/00002_engine.sql in PostgreSQL: the provider that sent
-- a delivery and those that failed before it; skip reasons as the contract's codes.
ALTER TABLE deliveries
    ADD COLUMN provider    TEXT NOT NULL DEFAULT '',
    ADD COLUMN failed_over TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET reason = 'no_phone', last_error = CASE WHEN last_error = '' THEN 'no phone number' ELSE last_error END
    WHERE status = 'skipped' AND reason = 'no phone number';
UPDATE deliveries SET last_error = reason, reason = 'capped'
    WHERE status = 'skipped' AND reason LIKE 'per-recipient cap%';

-- +goose Down
UPDATE deliveries SET reason = last_error WHERE status = 'skipped' AND reason = 'capped';
UPDATE deliveries SET reason = 'no phone number' WHERE status = 'skipped' AND reason = 'no_phone';
ALTER TABLE deliveries DROP COLUMN failed_over, DROP COLUMN provider;
