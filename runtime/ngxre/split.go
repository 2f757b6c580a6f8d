package ngxre

// Split is ngx.re.split (lua-resty-core's ngx/re.lua) on a subject from the
// 1-based position pos, into at most max fields (max <= 0: no limit, and
// empty trailing fields are dropped). The first capture group, when the
// match set any group, goes into the result after its field. It returns
// the 0-based offset split leaves in ctx.pos.
//
// The walk keeps ngx/re.lua's bookkeeping of empty matches, quirks and
// all (an unset first group with a later one set yields the whole
// subject), since code written against OpenResty sees exactly that.
func (e *Engine) Split(re *Regexp, subject string, pos, max int) ([]string, int, error) {
	n := len(subject)
	if pos < 1 {
		pos = 1
	}
	if pos > n {
		return nil, pos, nil
	}
	var fields []string
	var caps []int
	var err error
	field, lastEmpty, offset := pos, 0, pos-1 // field: 1-based start of the current field
	for count := 1; max <= 0 || count < max; {
		caps, err = e.Exec(re, subject, offset, caps)
		if err != nil {
			return nil, offset, err
		}
		if caps == nil {
			break
		}
		from, to := caps[0]+1, caps[1]+1
		offset = caps[1]
		if from == to {
			offset++
		}
		if lastEmpty != 0 {
			field = lastEmpty
		}
		if from == to {
			lastEmpty = from
		}
		if from <= field && lastEmpty != 0 {
			continue
		}
		count++
		fields = append(fields, subject[field-1:from-1])
		if c, ok := firstCapture(subject, caps); ok {
			fields = append(fields, c)
		}
		field = to
		if field > n {
			break
		}
	}
	if max <= 0 && field > n {
		for len(fields) > 0 && fields[len(fields)-1] == "" {
			fields = fields[:len(fields)-1]
		}
		return fields, offset, nil
	}
	return append(fields, subject[field-1:]), offset, nil
}

// firstCapture is group 1 when any group took part in the match; for an
// unset group 1 that is string.sub(subject, 0, -1), the whole subject.
func firstCapture(subject string, caps []int) (string, bool) {
	set := false
	for i := 2; i < len(caps); i += 2 {
		set = set || caps[i] >= 0
	}
	switch {
	case !set:
		return "", false
	case caps[2] < 0:
		return subject, true
	}
	return subject[caps[2]:caps[3]], true
}
