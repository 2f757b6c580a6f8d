package ngxre

// Replace is ngx.re.sub (global false) and gsub (true): repl appends the
// replacement of one match to dst. An empty match copies the next byte and
// searches again one byte on, as ngx_lua does (in UTF-8 mode that can
// land inside a character, which PCRE reports as error -11).
func (e *Engine) Replace(re *Regexp, subject string, global bool,
	repl func(dst []byte, caps []int) ([]byte, error)) (string, int, error) {
	var out []byte
	var caps []int
	var err error
	count, offset, copied := 0, 0, 0
	for {
		caps, err = e.Exec(re, subject, offset, caps)
		if err != nil {
			return "", 0, err
		}
		if caps == nil {
			break
		}
		count++
		from, to := caps[0], caps[1]
		out = append(out, subject[copied:from]...)
		if out, err = repl(out, caps); err != nil {
			return "", 0, err
		}
		copied, offset = to, to
		if !global {
			break
		}
		if from == to {
			if to >= len(subject) {
				break
			}
			out = append(out, subject[to])
			copied, offset = to+1, to+1
		}
	}
	if count == 0 {
		return subject, 0, nil
	}
	return string(append(out, subject[copied:]...)), count, nil
}
