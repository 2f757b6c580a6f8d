package ngxre

import "fmt"

// pcre1Messages rewords PCRE2's compile errors as PCRE 8 printed them,
// which is what OpenResty users see and match on. Messages PCRE 8 did not
// have keep PCRE2's words.
var pcre1Messages = map[string]string{
	"escape sequence is invalid in character class":                          "invalid escape sequence in character class",
	"quantifier does not follow a repeatable item":                           "nothing to repeat",
	"missing closing parenthesis":                                            "missing )",
	"unrecognised compile-time option bit(s)":                                "unknown option bit(s) set",
	"missing ) after (?# comment":                                            "missing ) after comment",
	"parentheses are too deeply nested":                                      "parentheses nested too deeply",
	"failed to allocate heap memory":                                         "failed to get memory",
	"unmatched closing parenthesis":                                          "unmatched parentheses",
	"missing closing parenthesis for condition":                              "malformed number or name after (?(",
	"conditional subpattern contains more than two branches":                 "conditional group contains more than two branches",
	"assertion expected after (?( or (?(?C)":                                 "assertion expected after (?(",
	"digit expected after (?+ or (?-":                                        "digit expected after (?+",
	"this version of PCRE2 does not have Unicode support":                    "this version of PCRE is compiled without UTF support",
	"character code point value in \\x{} or \\o{} is too large":              "character value in \\x{} or \\o{} is too large",
	"\\C is not allowed in a lookbehind assertion in UTF-8 mode":             "\\C not allowed in lookbehind assertion",
	"PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u":           "PCRE does not support \\L, \\l, \\N{name}, \\U, or \\u",
	"number after (?C is greater than 255":                                   "number after (?C is > 255",
	"closing parenthesis for (?C expected":                                   "closing ) for (?C expected",
	"syntax error in subpattern name (missing terminator?)":                  "syntax error in subpattern name (missing terminator)",
	"two named subpatterns have the same name (PCRE2_DUPNAMES not set)":      "two named subpatterns have the same name",
	"subpattern name must start with a non-digit":                            "group name must start with a non-digit",
	"this version of PCRE2 does not have support for \\P, \\p, or \\X":       "support for \\P, \\p, and \\X has not been compiled",
	"unknown property after \\P or \\p":                                      "unknown property name after \\P or \\p",
	"subpattern name is too long (maximum 32 code units)":                    "subpattern name is too long (maximum 32 characters)",
	"DEFINE subpattern contains more than one branch":                        "DEFINE group contains more than one branch",
	"subpattern number is too big":                                           "number is too big",
	"\\c must be followed by a printable ASCII character":                    "\\c must be followed by an ASCII character",
	"(?R (recursive pattern call) must be followed by a closing parenthesis": "(?R or (?[+-]digits must be followed by )",
	"a relative value of zero is not allowed":                                "a numbered reference must not be zero",
}

// compileError is ngx_lua's message for a pattern that does not compile:
// the place is shown unless PCRE points at the end of the pattern.
func compileError(msg, pattern string, offset int) error {
	if m, ok := pcre1Messages[msg]; ok {
		msg = m
	}
	if offset >= len(pattern) {
		return fmt.Errorf("pcre_compile() failed: %s in \"%s\"", msg, pattern)
	}
	return fmt.Errorf("pcre_compile() failed: %s in \"%s\" at \"%s\"", msg, pattern, pattern[offset:])
}
