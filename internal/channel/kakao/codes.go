package kakao

// Kakao's own result codes, which both Solapi and NHN Cloud pass on for an AlimTalk
// (docs/kakao.md lists them with what notifyd does):
//
//	1000 delivered to the handset
//	3016 the text does not match the approved template
//	3018 the message cannot be sent to this person (blocked the channel, no KakaoTalk
//	     on that number, or KakaoTalk not used for a long time)
//	3019 not a KakaoTalk user
//
// The three refusals are this person's (or this text's): the AlimTalk falls back to SMS.
// Any other failure code is final without fallback.
const CodeDelivered = "1000"

var refusals = map[string]string{
	"3016": "the text does not match the approved template",
	"3018": "cannot be sent to this person (channel blocked or KakaoTalk not used)",
	"3019": "not a KakaoTalk user",
}

// Refusal reports whether a Kakao result code is a refusal for this person (fall back),
// with its meaning.
func Refusal(code string) (string, bool) {
	why, ok := refusals[code]
	return why, ok
}
