package notify

// MaskPhone keeps a number's country prefix and last two digits: +8210******78. At least
// half of it is always masked, so a short number never shows whole: +1***56. Logs, errors
// and the admin status view show numbers only this way.
func MaskPhone(p string) string {
	if len(p) <= 6 {
		return "***"
	}
	keep := 5
	if len(p)-keep-2 < len(p)/2 {
		keep = len(p) - 2 - len(p)/2
	}
	b := []byte(p)
	for i := keep; i < len(b)-2; i++ {
		b[i] = '*'
	}
	return string(b)
}
