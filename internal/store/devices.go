package store

import (
	"context"
	"time"
)

// Device is one app installation that receives mobile push: a Firebase Cloud Messaging
// registration token (Android, or iOS through Firebase) or an APNs device token, owned by
// one user.
type Device struct {
	ID        int64     `json:"id"`
	UserID    string    `json:"userId"`
	Platform  string    `json:"platform"` // DeviceFCM or DeviceAPNs
	Token     string    `json:"token"`
	Locale    string    `json:"locale,omitempty"` // the app's language, for the push title
	CreatedAt time.Time `json:"createdAt"`
}

// The mobile push platforms.
const (
	DeviceFCM  = "fcm"
	DeviceAPNs = "apns"
)

// MaxDevices is how many devices one user keeps. Apps get a new token on reinstall and
// sometimes on update, and every push goes to each of a user's devices, so the oldest goes
// first, as it is the likeliest to be dead.
const MaxDevices = 20

// Devices is the store's part for mobile push (internal/channel/mobile).
type Devices interface {
	// SaveDevice registers a device for its user. A token is one device: saving a known
	// token replaces its platform, locale and owner (a phone that changed hands leaves its
	// first user). A user keeps at most MaxDevices: one more drops their oldest.
	SaveDevice(ctx context.Context, d Device) error
	// UserDevices returns userID's devices, oldest first.
	UserDevices(ctx context.Context, userID string) ([]Device, error)
	// DeleteDevice removes userID's device with that token; false when userID has none.
	DeleteDevice(ctx context.Context, userID, token string) (bool, error)
	// MarkDeviceSent records that the push of a delivery reached the device with token,
	// so a retry of that delivery (another device failed, or the process died) skips it.
	MarkDeviceSent(ctx context.Context, deliveryID int64, userID, token string, at time.Time) error
	// DevicesSent returns the tokens MarkDeviceSent recorded for a delivery.
	DevicesSent(ctx context.Context, deliveryID int64) ([]string, error)
	// ForgetDeviceSends drops the records of MarkDeviceSent made before the time: a
	// delivery is settled long before (its retries are minutes apart, at most a few hours).
	ForgetDeviceSends(ctx context.Context, before time.Time) (int64, error)
}
