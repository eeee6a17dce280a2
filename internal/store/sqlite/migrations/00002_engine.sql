-- +goose Up
-- Round two's delivery engine (#11): which provider sent a delivery and which failed before
-- it (SMS failover), and skip reasons as the contract's codes with the human detail in
-- last_error. The new statuses (scheduled, cancelled) need no schema change: status is text
-- and deliveries_due (status, channel, next_attempt_at) serves a claim of scheduled rows.
ALTER TABLE deliveries ADD COLUMN provider TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN failed_over TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET reason = 'no_phone', last_error = CASE WHEN last_error = '' THEN 'no phone number' ELSE last_error END
    WHERE status = 'skipped' AND reason = 'no phone number';
UPDATE deliveries SET last_error = reason, reason = 'capped'
    WHERE status = 'skipped' AND reason LIKE 'per-recipient cap%';

-- +goose Down
UPDATE deliveries SET reason = last_error WHERE status = 'skipped' AND reason = 'capped';
UPDATE deliveries SET reason = 'no phone number' WHERE status = 'skipped' AND reason = 'no_phone';
ALTER TABLE deliveries DROP COLUMN failed_over;
ALTER TABLE deliveries DROP COLUMN provider;
