package codec

import (
	"encoding/base64"
	"strings"
	"time"
)

// EncodeBase64 is ngx.encode_base64(s, noPadding).
func EncodeBase64(s string, noPadding bool) string {
	if noPadding {
		return base64.RawStdEncoding.EncodeToString([]byte(s))
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// DecodeBase64 is ngx.decode_base64: padding optional; ok is false for
// input that is not base64.
func DecodeBase64(s string) (string, bool) {
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return "", false
	}
	return string(b), true
}

// QuoteSQL is ngx.quote_sql_str: a MySQL string literal.
func QuoteSQL(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			b.WriteString(`\0`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case 26:
			b.WriteString(`\Z`)
		case '\\', '\'', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// HTTPTime is ngx.http_time: "Thu, 18 Nov 2010 11:27:35 GMT".
func HTTPTime(sec int64) string {
	return time.Unix(sec, 0).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
}

// CookieTime is ngx.cookie_time: "Thu, 18-Nov-10 11:27:35 GMT".
func CookieTime(sec int64) string {
	return time.Unix(sec, 0).UTC().Format("Mon, 02-Jan-06 15:04:05 GMT")
}

// ParseHTTPTime is ngx.parse_http_time: RFC 1123, RFC 850 and asctime
// dates; ok is false for anything else.
func ParseHTTPTime(s string) (int64, bool) {
	for _, layout := range []string{time.RFC1123, time.RFC850, time.ANSIC, "Mon, 02-Jan-2006 15:04:05 MST"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}
