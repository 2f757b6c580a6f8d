package pg

// ParseArray reads an array's text output ({1,2,NULL}, {"a b","c\"d"},
// {{1,2},{3,4}}, with an optional [1:2]= bounds prefix) and decodes each
// element as kind k; ok is false on anything else.
func ParseArray(text []byte, k kind) (Array, bool) {
	p := arrayParser{s: text, k: k}
	if len(p.s) > 0 && p.s[0] == '[' { // explicit bounds: "[0:1]={…}"
		for p.i < len(p.s) && p.s[p.i] != '=' {
			p.i++
		}
		p.i++
	}
	a, ok := p.array()
	return a, ok && p.i == len(p.s)
}

type arrayParser struct {
	s []byte
	i int
	k kind
}

func (p *arrayParser) array() (Array, bool) {
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return nil, false
	}
	p.i++
	out := Array{}
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return out, true
	}
	for p.i < len(p.s) {
		var v any
		switch p.s[p.i] {
		case '{':
			a, ok := p.array()
			if !ok {
				return nil, false
			}
			v = a
		case '"':
			s, ok := p.quoted()
			if !ok {
				return nil, false
			}
			v = scalar(p.k, s)
		default:
			start := p.i
			for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != '}' {
				p.i++
			}
			if tok := p.s[start:p.i]; isNull(tok) {
				v = Null // only unquoted NULL is NULL; "NULL" is the string
			} else {
				v = scalar(p.k, tok)
			}
		}
		out = append(out, v)
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return out, true
		default:
			return nil, false
		}
	}
	return nil, false
}

// quoted reads a double-quoted element, where backslash escapes the next
// byte.
func (p *arrayParser) quoted() ([]byte, bool) {
	p.i++ // the opening quote
	var out []byte
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case '"':
			return out, true
		case '\\':
			if p.i >= len(p.s) {
				return nil, false
			}
			c = p.s[p.i]
			p.i++
		}
		out = append(out, c)
	}
	return nil, false
}

func isNull(tok []byte) bool {
	return len(tok) == 4 && (tok[0]|0x20) == 'n' && (tok[1]|0x20) == 'u' && (tok[2]|0x20) == 'l' && (tok[3]|0x20) == 'l'
}
