-- +goose Up
-- Advertising consent (Korean Network Act §50): ad_consent lets advertising types reach the
-- user at all, night_ad_consent between 21:00 and 08:00 in their zone. The *_at columns
-- are when the value last changed (Unix ms; 0 = never given).
ALTER TABLE user_profiles ADD COLUMN ad_consent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_profiles ADD COLUMN ad_consent_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_profiles ADD COLUMN night_ad_consent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_profiles ADD COLUMN night_ad_consent_at INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE user_profiles DROP COLUMN night_ad_consent_at;
ALTER TABLE user_profiles DROP COLUMN night_ad_consent;
ALTER TABLE user_profiles DROP COLUMN ad_consent_at;
ALTER TABLE user_profiles DROP COLUMN ad_consent;
