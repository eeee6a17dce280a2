package sms

import (
	"context"
	"errors"
	"net"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/notifyd/notifyd/internal/channel"
)

// snsTransient are SNS and common AWS error codes that a later attempt can get past:
// throttling, server faults, and credentials that the SDK refreshes. The SDK's own throttle
// and retryable code lists count too (see classifySNS).
var snsTransient = map[string]bool{
	"Throttling":                  true,
	"ThrottlingException":         true,
	"Throttled":                   true, // sns types.ThrottledException
	"ThrottledException":          true,
	"KMSThrottling":               true, // sns types.KMSThrottlingException
	"KMSThrottlingException":      true,
	"InternalError":               true, // sns types.InternalErrorException
	"InternalFailure":             true,
	"InternalFailureException":    true,
	"ServiceUnavailable":          true,
	"ServiceUnavailableException": true,
	"RequestTimeout":              true,
	"RequestTimeoutException":     true,
	"ExpiredToken":                true,
	"ExpiredTokenException":       true,
	"RequestExpired":              true,
}

// snsPermanent are error codes where resending the same message can never succeed:
// a bad or opted-out number, a refused account or key, a disabled endpoint.
var snsPermanent = map[string]bool{
	"InvalidParameter":            true, // e.g. an invalid number
	"InvalidParameterValue":       true,
	"ParameterValueInvalid":       true, // sns types.InvalidParameterValueException
	"ValidationException":         true,
	"OptedOut":                    true,
	"OptedOutException":           true,
	"AuthorizationError":          true,
	"EndpointDisabled":            true,
	"NotFound":                    true,
	"InvalidSecurity":             true,
	"KMSAccessDenied":             true,
	"KMSDisabled":                 true,
	"KMSInvalidState":             true,
	"KMSNotFound":                 true,
	"KMSOptInRequired":            true,
	"PlatformApplicationDisabled": true,
	"InvalidClientTokenId":        true,
	"SignatureDoesNotMatch":       true,
	"AccessDenied":                true,
	"AccessDeniedException":       true,
	"OptInRequired":               true,
}

// classifySNS turns a Publish error into a channel.Transient or channel.Permanent error.
//
// The AWS error code decides first, because AWS answers throttling with 400 as often as with
// 429. An unknown code falls back to the HTTP status: 408, 429 and 5xx are transient, other
// 4xx permanent. Without a response, timeouts, cancellations and network errors are
// transient, and so is anything unrecognised: the worker's attempt limit ends it.
func classifySNS(err error) error {
	if err == nil {
		return nil
	}
	var apiErr smithy.APIError
	code := ""
	if errors.As(err, &apiErr) {
		code = apiErr.ErrorCode()
		if code == "UnknownError" {
			code = "" // the SDK's name for an error body without a code (an HTML 502 page)
		}
		switch {
		case snsTransient[code]:
			return channel.Transient(code, err)
		case snsPermanent[code]:
			return channel.Permanent(code, err)
		}
		if _, ok := retry.DefaultThrottleErrorCodes[code]; ok {
			return channel.Transient(code, err)
		}
		if _, ok := retry.DefaultRetryableErrorCodes[code]; ok {
			return channel.Transient(code, err)
		}
	}
	if status := httpStatus(err); status >= 400 {
		if code == "" {
			code = strconv.Itoa(status)
		}
		if status == 408 || status == 429 || status >= 500 {
			return channel.Transient(code, err)
		}
		return channel.Permanent(code, err)
	}
	if apiErr != nil && apiErr.ErrorFault() == smithy.FaultClient {
		return channel.Permanent(code, err)
	}
	var serErr *smithy.SerializationError
	var paramErr smithy.InvalidParamsError
	var netErr net.Error
	var deErr *smithy.DeserializationError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return channel.Transient("timeout", err)
	case errors.Is(err, context.Canceled):
		return channel.Transient("canceled", err)
	case errors.As(err, &serErr):
		return channel.Permanent("serialization", err)
	case errors.As(err, &paramErr):
		return channel.Permanent("InvalidParameter", err)
	case errors.As(err, &netErr):
		return channel.Transient("network", err)
	case errors.As(err, &deErr):
		// A 2xx answer SNS could not parse: the SMS may be out. Retrying risks one resend,
		// which is the documented worst case; failing would hide a possible send.
		return channel.Transient("deserialization", err)
	}
	if code == "" {
		code = "unknown"
	}
	return channel.Transient(code, err)
}

// httpStatus is the status of the response an SDK error came with, or 0 without one.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
