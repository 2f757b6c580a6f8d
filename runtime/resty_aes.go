package runtime

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"

	lua "github.com/yuin/gopher-lua"
)

// lua-resty-string's resty.aes over Go's crypto/aes: aes.cipher(size, mode),
// aes.hash.*, aes:new(key, salt, cipher, hash, hash_rounds, iv_len,
// enable_padding) and the object's encrypt / decrypt, with the library's
// return values and error strings. Every mode lua-resty-string declares is
// here: ecb, cbc, cfb1, cfb8, cfb128, ofb, ctr and gcm, in 128, 192 and 256
// bits (aes-256-ctr too, which the library forgot to declare).

// aesSpec is what a cipher table's method field holds (OpenSSL's
// EVP_CIPHER): the key size in bits and the mode.
type aesSpec struct {
	bits int
	mode string
}

// ivLen is the IV length OpenSSL gives the cipher, which EVP_BytesToKey
// derives: none for ECB, the 96-bit nonce for GCM, a block otherwise.
func (s *aesSpec) ivLen() int {
	switch s.mode {
	case "ecb":
		return 0
	case "gcm":
		return 12
	}
	return aes.BlockSize
}

// aesDigest is what an aes.hash value holds (OpenSSL's EVP_MD).
type aesDigest struct {
	name    string
	newHash func() hash.Hash
}

var aesModes = []string{"ecb", "cbc", "cfb1", "cfb8", "cfb128", "ofb", "ctr", "gcm"}

var aesDigests = []aesDigest{
	{"md5", md5.New}, {"sha1", sha1.New}, {"sha224", sha256.New224},
	{"sha256", sha256.New}, {"sha384", sha512.New384}, {"sha512", sha512.New},
}

// aesState is one aes:new() object's keyed cipher. Every encrypt and
// decrypt starts again from the IV, as the library re-initialises its
// OpenSSL contexts with key and IV on each call.
type aesState struct {
	spec    *aesSpec
	block   cipher.Block
	iv      []byte // a block (nil for ECB); the nonce for GCM
	aead    cipher.AEAD
	padding bool
}

// openRestyAes adds resty.aes to w.compat.
func (w *Worker) openRestyAes() {
	L := w.L
	mod := L.NewTable()
	mod.RawSetString("_VERSION", lua.LString("0.15"))

	methods := map[string]*lua.LUserData{}
	for _, bits := range []int{128, 192, 256} {
		for _, mode := range aesModes {
			ud := L.NewUserData()
			ud.Value = &aesSpec{bits: bits, mode: mode}
			methods["EVP_aes_"+lua.LNumber(bits).String()+"_"+mode] = ud
		}
	}
	hashes := L.NewTable()
	for i := range aesDigests {
		ud := L.NewUserData()
		ud.Value = &aesDigests[i]
		hashes.RawSetString(aesDigests[i].name, ud)
	}
	mod.RawSetString("hash", hashes)

	objMT := L.NewTable()
	objMT.RawSetString("__index", mod)

	cipherFn := func(L *lua.LState) int {
		size, mode := L.Get(1), L.Get(2)
		if !lua.LVAsBool(size) {
			size = lua.LNumber(128)
		}
		if !lua.LVAsBool(mode) {
			mode = lua.LString("cbc")
		}
		name := "EVP_aes_" + concatArg(L, size, "_size") + "_" + concatArg(L, mode, "_cipher")
		ud, ok := methods[name]
		if !ok {
			// What LuaJIT says when aes.lua indexes ffi.C with a name its
			// cdef does not declare.
			raise(L, "missing declaration for symbol '%s'", name)
		}
		t := L.NewTable()
		t.RawSetString("size", size)
		t.RawSetString("cipher", mode)
		t.RawSetString("method", ud)
		L.Push(t)
		return 1
	}
	defaultSpec := methods["EVP_aes_128_cbc"].Value.(*aesSpec)

	L.SetFuncs(mod, map[string]lua.LGFunction{
		"cipher": cipherFn,
		"new": func(L *lua.LState) int {
			return aesNew(L, objMT, defaultSpec)
		},
		"encrypt": aesEncrypt,
		"decrypt": aesDecrypt,
	})
	w.compat["resty.aes"] = mod
}

// concatArg is v as the .. operator makes it a string.
func concatArg(L *lua.LState, v lua.LValue, name string) string {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return v.String()
	}
	raise(L, "attempt to concatenate local '%s' (a %s value)", name, v.Type().String())
	return ""
}

// lenArg is v for the # operator on a string; other values raise.
func lenArg(L *lua.LState, v lua.LValue, name string) string {
	s, ok := v.(lua.LString)
	if !ok {
		raise(L, "attempt to get length of %s (a %s value)", name, v.Type().String())
	}
	return string(s)
}

// aesFail returns nil, msg: how the library reports a failure.
func aesFail(L *lua.LState, msg string) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(msg))
	return 2
}

// aesNew is _M.new(self, key, salt, cipher, hash, hash_rounds, iv_len,
// enable_padding); self (the module table under aes:new) is not used.
func aesNew(L *lua.LState, objMT *lua.LTable, defaultSpec *aesSpec) int {
	key, salt := L.Get(2), L.Get(3)
	spec := defaultSpec
	if c := L.Get(4); lua.LVAsBool(c) {
		t, ok := c.(*lua.LTable)
		if !ok {
			argError(L, 4, "cipher table expected, got "+c.Type().String())
		}
		ud, ok := L.GetField(t, "method").(*lua.LUserData)
		if ok {
			spec, ok = ud.Value.(*aesSpec)
		}
		if !ok {
			argError(L, 4, "cipher method is not one of aes.cipher()'s")
		}
	}
	keyLen := spec.bits / 8
	ivLen := keyLen
	if v := L.Get(7); lua.LVAsBool(v) {
		ivLen = L.CheckInt(7)
	}
	padding := L.Get(8) == lua.LNil || lua.LVAsBool(L.Get(8))

	// The key and IV buffers are keyLen bytes, zero-filled.
	genKey, genIV := make([]byte, keyLen), make([]byte, keyLen)
	switch h := L.Get(5).(type) {
	case *lua.LTable:
		iv := L.GetField(h, "iv")
		if !lua.LVAsBool(iv) {
			return aesFail(L, "iv is needed")
		}
		ivs := lenArg(L, iv, "field 'iv'")
		ivLen = len(ivs)
		if ivLen > keyLen {
			return aesFail(L, "bad iv length")
		}
		var k string
		if method := L.GetField(h, "method"); lua.LVAsBool(method) {
			L.Push(method)
			L.Push(key)
			L.Call(1, 1)
			k = lenArg(L, L.Get(-1), "local 'tmp_key'")
			L.Pop(1)
		} else {
			k = lenArg(L, key, "local 'key'")
		}
		if len(k) != keyLen {
			return aesFail(L, "bad key length")
		}
		copy(genKey, k)
		copy(genIV, ivs)
	default:
		digest := &aesDigests[0]
		if lua.LVAsBool(h) {
			ud, ok := h.(*lua.LUserData)
			if ok {
				digest, ok = ud.Value.(*aesDigest)
			}
			if !ok {
				argError(L, 5, "hash is not one of aes.hash's")
			}
		}
		var s []byte
		if lua.LVAsBool(salt) {
			s = []byte(lenArg(L, salt, "local 'salt'"))
			if len(s) != 8 {
				return aesFail(L, "salt must be 8 characters or nil")
			}
		}
		rounds := 1
		if v := L.Get(6); lua.LVAsBool(v) {
			rounds = L.CheckInt(6)
		}
		k := []byte(lenArg(L, key, "local 'key'"))
		derived := bytesToKey(digest.newHash, k, s, rounds, keyLen+spec.ivLen())
		copy(genKey, derived[:keyLen])
		copy(genIV, derived[keyLen:])
	}

	block, err := aes.NewCipher(genKey)
	if err != nil {
		return aesFail(L, "failed to init ctx")
	}
	st := &aesState{spec: spec, block: block, padding: padding}
	switch spec.mode {
	case "ecb":
	case "gcm":
		if ivLen <= 0 {
			return aesFail(L, "failed to set IV length")
		}
		if ivLen > keyLen {
			// aes.lua would read past its IV buffer here.
			return aesFail(L, "bad iv length")
		}
		st.iv = genIV[:ivLen]
		if st.aead, err = cipher.NewGCMWithNonceSize(block, ivLen); err != nil {
			return aesFail(L, "failed to set IV length")
		}
	default:
		st.iv = genIV[:aes.BlockSize]
	}

	ud := L.NewUserData()
	ud.Value = st
	obj := L.NewTable()
	obj.RawSetString("_cipher", lua.LString(spec.mode))
	obj.RawSetString("_ctx", ud)
	L.SetMetatable(obj, objMT)
	L.Push(obj)
	return 1
}

// bytesToKey is OpenSSL's EVP_BytesToKey: D_i = H^rounds(D_{i-1} || data
// || salt), concatenated until n bytes are there.
func bytesToKey(newHash func() hash.Hash, data, salt []byte, rounds, n int) []byte {
	var out, d []byte
	h := newHash()
	for len(out) < n {
		h.Reset()
		h.Write(d)
		h.Write(data)
		h.Write(salt)
		d = h.Sum(nil)
		for i := 1; i < rounds; i++ {
			h.Reset()
			h.Write(d)
			d = h.Sum(nil)
		}
		out = append(out, d...)
	}
	return out[:n]
}

// aesSelf checks encrypt's and decrypt's self as the library does.
func aesSelf(L *lua.LState) *aesState {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		raise(L, "bad argument #1 self: table expected, got %s", L.Get(1).Type().String())
	}
	if ud, ok := t.RawGetString("_ctx").(*lua.LUserData); ok {
		if st, ok := ud.Value.(*aesState); ok {
			return st
		}
	}
	raise(L, "bad argument #1 self: resty.aes object expected")
	return nil
}

// aadArg is GCM's optional additional authenticated data at n.
func aadArg(L *lua.LState, n int) []byte {
	if v := L.Get(n); v != lua.LNil {
		return []byte(lenArg(L, v, "local 'aad'"))
	}
	return nil
}

// aesEncrypt is obj:encrypt(s [, aad]): the ciphertext, or for GCM the
// table {ciphertext, tag}.
func aesEncrypt(L *lua.LState) int {
	st := aesSelf(L)
	in := []byte(lenArg(L, L.Get(2), "local 's'"))
	switch st.spec.mode {
	case "gcm":
		sealed := st.aead.Seal(nil, st.iv, in, aadArg(L, 3))
		split := len(sealed) - st.aead.Overhead()
		t := L.CreateTable(2, 0)
		t.RawSetInt(1, lua.LString(sealed[:split]))
		t.RawSetInt(2, lua.LString(sealed[split:]))
		L.Push(t)
		return 1
	case "ecb", "cbc":
		if st.padding {
			n := aes.BlockSize - len(in)%aes.BlockSize
			for range n {
				in = append(in, byte(n))
			}
		} else if len(in)%aes.BlockSize != 0 {
			return aesFail(L, "EVP_EncryptFinal_ex failed")
		}
		if st.spec.mode == "cbc" {
			cipher.NewCBCEncrypter(st.block, st.iv).CryptBlocks(in, in)
		} else {
			for i := 0; i < len(in); i += aes.BlockSize {
				st.block.Encrypt(in[i:i+aes.BlockSize], in[i:i+aes.BlockSize])
			}
		}
		return pushString(L, string(in))
	}
	return pushString(L, string(st.stream(in, false)))
}

// aesDecrypt is obj:decrypt(s [, tag [, aad]]): the plaintext, or nil and
// "EVP_DecryptFinal_ex failed" for bad length, padding or tag.
func aesDecrypt(L *lua.LState) int {
	st := aesSelf(L)
	in := []byte(lenArg(L, L.Get(2), "local 's'"))
	const failed = "EVP_DecryptFinal_ex failed"
	switch st.spec.mode {
	case "gcm":
		tag := L.Get(3)
		if tag == lua.LNil {
			return aesFail(L, failed)
		}
		// The library copies 16 bytes of the tag, whatever its length.
		t := lenArg(L, tag, "local 'tag'")
		if len(t) < st.aead.Overhead() {
			return aesFail(L, failed)
		}
		out, err := st.aead.Open(nil, st.iv, append(in, t[:st.aead.Overhead()]...), aadArg(L, 4))
		if err != nil {
			return aesFail(L, failed)
		}
		return pushString(L, string(out))
	case "ecb", "cbc":
		if len(in)%aes.BlockSize != 0 || st.padding && len(in) == 0 {
			return aesFail(L, failed)
		}
		if st.spec.mode == "cbc" {
			cipher.NewCBCDecrypter(st.block, st.iv).CryptBlocks(in, in)
		} else {
			for i := 0; i < len(in); i += aes.BlockSize {
				st.block.Decrypt(in[i:i+aes.BlockSize], in[i:i+aes.BlockSize])
			}
		}
		if st.padding {
			n := int(in[len(in)-1])
			if n == 0 || n > aes.BlockSize {
				return aesFail(L, failed)
			}
			for _, b := range in[len(in)-n:] {
				if int(b) != n {
					return aesFail(L, failed)
				}
			}
			in = in[:len(in)-n]
		}
		return pushString(L, string(in))
	}
	return pushString(L, string(st.stream(in, true)))
}

// stream runs the stream modes (cfb1, cfb8, cfb128, ofb, ctr) over in,
// in place, from the IV.
func (st *aesState) stream(in []byte, decrypt bool) []byte {
	if st.spec.mode == "ctr" {
		cipher.NewCTR(st.block, st.iv).XORKeyStream(in, in)
		return in
	}
	reg := append([]byte(nil), st.iv...)
	ks := make([]byte, aes.BlockSize)
	switch st.spec.mode {
	case "ofb":
		for i := range in {
			if i%aes.BlockSize == 0 {
				st.block.Encrypt(reg, reg)
			}
			in[i] ^= reg[i%aes.BlockSize]
		}
	case "cfb128":
		// The register is the last ciphertext block.
		for i := range in {
			j := i % aes.BlockSize
			if j == 0 {
				st.block.Encrypt(ks, reg)
			}
			c := in[i]
			in[i] ^= ks[j]
			if !decrypt {
				c = in[i]
			}
			reg[j] = c
		}
	case "cfb8":
		for i := range in {
			st.block.Encrypt(ks, reg)
			c := in[i]
			in[i] ^= ks[0]
			if !decrypt {
				c = in[i]
			}
			copy(reg, reg[1:])
			reg[aes.BlockSize-1] = c
		}
	case "cfb1":
		// One block encryption per bit, most significant bit first.
		for i := range in {
			var out byte
			for bit := 7; bit >= 0; bit-- {
				st.block.Encrypt(ks, reg)
				p := in[i] >> bit & 1
				o := p ^ ks[0]>>7
				c := o
				if decrypt {
					c = p
				}
				out |= o << bit
				for k := 0; k < aes.BlockSize-1; k++ {
					reg[k] = reg[k]<<1 | reg[k+1]>>7
				}
				reg[aes.BlockSize-1] = reg[aes.BlockSize-1]<<1 | c
			}
			in[i] = out
		}
	}
	return in
}
