package runtime_test

import (
	"strings"
	"testing"
)

// aesPrelude loads resty.aes and defines H, hex to bytes.
const aesPrelude = `local aes = require "resty.aes"
local str = require "resty.string"
local function H(s) return (s:gsub("..", function(c) return string.char(tonumber(c, 16)) end)) end
`

// aesVector is one aes:new(args) object encrypting the hex plaintext plain:
// want is the ciphertext in hex ("ciphertext tag" for GCM).
type aesVector struct {
	name, args, plain, want string
}

// aesVectors come from OpenSSL 3.0: `openssl enc` for the non-AEAD modes
// (-pass pass:secret -nosalt -md md5 is what aes:new("secret") derives;
// -S for a salt; -K/-iv for an explicit key and IV, and for hash rounds
// above 1, whose EVP_BytesToKey output the CLI cannot make), and python's
// cryptography over the same libcrypto for GCM, which `openssl enc` refuses.
var aesVectors = []aesVector{
	{`ecb-128 md5`, `"secret", nil, aes.cipher(128, "ecb")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"5cbaf0d92835bac35e00137957486c035a20871bff148f4b6397fab22d11e4eb"},
	{`cbc-128 md5`, `"secret", nil, aes.cipher(128, "cbc")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"c7323e7ab37b2abe2cada69b4d130193b9e002625e7a6d70ac596ea944f44447"},
	{`cfb1-128 md5`, `"secret", nil, aes.cipher(128, "cfb1")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"d0ea3c2e36a50f3704c037e74f2baaf1abc274d5021702575f5a"},
	{`cfb8-128 md5`, `"secret", nil, aes.cipher(128, "cfb8")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"e59d1e388c5387150274a99220941ac9f56a0eb3fabd29f4541e"},
	{`cfb128-128 md5`, `"secret", nil, aes.cipher(128, "cfb128")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"e50b8429a7297331661217bba0eed67480e6516acc1f68b811bb"},
	{`ofb-128 md5`, `"secret", nil, aes.cipher(128, "ofb")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"e50b8429a7297331661217bba0eed674fafad5f49435c092a117"},
	{`ctr-128 md5`, `"secret", nil, aes.cipher(128, "ctr")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"e50b8429a7297331661217bba0eed674ec7b65bbb36c81e97de1"},
	{`gcm-128 md5 default iv_len`, `"secret", nil, aes.cipher(128, "gcm")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"794b36fa10fc098cfa7b1b48a30716599a60e2adcc394a75cd93 dee1962c63c22c321133576e29037aa1"},
	{`gcm-128 md5 iv_len 12`, `"secret", nil, aes.cipher(128, "gcm"), nil, 1, 12`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"74659f20b603a741532913adb01e2625871a55ce3155561496bd e64a27ddbc74f5d8ac9a66975fdd8366"},
	{`ecb-192 md5`, `"secret", nil, aes.cipher(192, "ecb")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"5654c38cb266aa91613ec680090d437e38933a7f7666016acc5ac0bd6c60de19"},
	{`cbc-192 md5`, `"secret", nil, aes.cipher(192, "cbc")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"868585c7ce63581d551dc3b92a83090cb8777799b9eab55d9b3aee4d6b3dd03b"},
	{`cfb1-192 md5`, `"secret", nil, aes.cipher(192, "cfb1")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"ca32593f0b6fe58e4dc7c30f0082f6f159fab5ad3a87d4bfe79d"},
	{`cfb8-192 md5`, `"secret", nil, aes.cipher(192, "cfb8")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"ca5e61c498ae97a298147188b63042816676b1e26f000dee1e7d"},
	{`cfb128-192 md5`, `"secret", nil, aes.cipher(192, "cfb128")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"ca1d5af7d874c46d663a813cc90e636eaca5298dbb4a008b816f"},
	{`ofb-192 md5`, `"secret", nil, aes.cipher(192, "ofb")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"ca1d5af7d874c46d663a813cc90e636ef425415bc6f3b6809f5a"},
	{`ctr-192 md5`, `"secret", nil, aes.cipher(192, "ctr")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"ca1d5af7d874c46d663a813cc90e636e699ea04a10a8dac32166"},
	{`gcm-192 md5 default iv_len`, `"secret", nil, aes.cipher(192, "gcm")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"547c15fae925585759b9cd64868565876f106e900d723cdc266a 1036877d680b9ce4a1a6527d599cf809"},
	{`gcm-192 md5 iv_len 12`, `"secret", nil, aes.cipher(192, "gcm"), nil, 1, 12`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"58d571f158e54d84cac571878baaa29899218fa9dd06e56cbc72 11156de79abcf8354ee751b82072e650"},
	{`ecb-256 md5`, `"secret", nil, aes.cipher(256, "ecb")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"cc840f51adbbeece9b57438e835dc4cef32a2e43efa0f0f4e3e6cf13b5f4077c"},
	{`cbc-256 md5`, `"secret", nil, aes.cipher(256, "cbc")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"bfc1caa8e51186f2ece863f2504ec16e6e9f76b89e0d9b9a2946af8e3ab738e1"},
	{`cfb1-256 md5`, `"secret", nil, aes.cipher(256, "cfb1")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"234c198761dbcea38a480a96c88a4224b7aed113d899c97a5604"},
	{`cfb8-256 md5`, `"secret", nil, aes.cipher(256, "cfb8")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"3255092b4a6c3394836366532e9c9f7eb1e0b502b8b823f5cb15"},
	{`cfb128-256 md5`, `"secret", nil, aes.cipher(256, "cfb128")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"3295189f8f63b8b37f5c8308d9667c24e5f3509fb6abe5fbbc1f"},
	{`ofb-256 md5`, `"secret", nil, aes.cipher(256, "ofb")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"3295189f8f63b8b37f5c8308d9667c24fcccc2b061282718fa02"},
	{`ctr-256 md5`, `"secret", nil, aes.cipher(256, "ctr")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"3295189f8f63b8b37f5c8308d9667c24f4291f28268b4de3cc03"},
	{`gcm-256 md5 default iv_len`, `"secret", nil, aes.cipher(256, "gcm")`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"af652e74cf37301a23a08fc72eb488d5740822e9bc641e470d1c 5846347c6ce7a4145dad808008518e5c"},
	{`gcm-256 md5 iv_len 12`, `"secret", nil, aes.cipher(256, "gcm"), nil, 1, 12`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"388df0cffd0d0568423f2a11c56d0ae0ac14a538ad0ec146be06 d23aa755366551a42837acaf08932c50"},
	{`cbc-256 md5 salted`, `"secret", "WhatSalt", aes.cipher(256, "cbc"), aes.hash.md5`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"4fbce9be8160b1b3ea823dbd37b948354712cf61b0002022e28d94a5b22e81fc"},
	{`cbc-256 sha1 salted`, `"secret", "WhatSalt", aes.cipher(256, "cbc"), aes.hash.sha1`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"42a42cdaa6e9f6d9e5f50ea22ee8bbd5648991d1042dd4e94d9c513f34883e19"},
	{`cbc-256 sha224 salted`, `"secret", "WhatSalt", aes.cipher(256, "cbc"), aes.hash.sha224`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"252be91bdca27b73939ed3bbd41f815af945f0856b6abfe74cabd7788174bfd5"},
	{`cbc-256 sha256 salted`, `"secret", "WhatSalt", aes.cipher(256, "cbc"), aes.hash.sha256`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"20d31026cfa0ce975d57af31aea22d1cb83b8c66c88c934d771acfa4a10a7c45"},
	{`cbc-256 sha384 salted`, `"secret", "WhatSalt", aes.cipher(256, "cbc"), aes.hash.sha384`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"795ee931549c0a5c69465ac1decf0874bac5334196654a761f86583435349aa0"},
	{`cbc-256 sha512 salted`, `"secret", "WhatSalt", aes.cipher(256, "cbc"), aes.hash.sha512`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"951ac2ef6cd68a68153f6aad130fe3e4e6cbbe8d75a945985eda04b54db94b4e"},
	{`cfb8-192 sha256 binary salt`, `"p\195\164ssw\195\182rd", "\1\2\3\4\5\6\7\8", aes.cipher(192, "cfb8"), aes.hash.sha256`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"966d2f6007e569f9c29ff1eccae34fb444e5befae01abf442683"},
	{`ecb-256 sha1 x5`, `"secret", nil, aes.cipher(256, "ecb"), aes.hash.sha1, 5`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"2195e5d918724e07962bb86d415201b6165f43f7f3596ca1645cba941fba3f8e"},
	{`cbc-128 sha512 x3`, `"secret", nil, aes.cipher(128, "cbc"), aes.hash.sha512, 3`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"473831900220500c856163eaf5d81a4724129f808e9e0189ec1137251ba03150"},
	{`ctr-192 md5 x1000`, `"secret", nil, aes.cipher(192, "ctr"), aes.hash.md5, 1000`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"37665b2dc5b8bca698eb060c6174111dd094e725e8766d034a58"},
	{`cbc-128 explicit`, `H"000102030405060708090a0b0c0d0e0f", nil, aes.cipher(128, "cbc"), {iv = H"c8c9cacbcccdcecfd0d1d2d3d4d5d6d7"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"91313082a6b3d467c499fb9168e718a527c163d0f097287fd22c5bd4748b5630"},
	{`cbc-128 explicit, method`, `"000102030405060708090a0b0c0d0e0f", nil, aes.cipher(128, "cbc"), {iv = H"c8c9cacbcccdcecfd0d1d2d3d4d5d6d7", method = H}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"91313082a6b3d467c499fb9168e718a527c163d0f097287fd22c5bd4748b5630"},
	{`cbc-128 explicit, 8-byte iv zero-filled`, `H"000102030405060708090a0b0c0d0e0f", nil, aes.cipher(128, "cbc"), {iv = "12345678"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"a3e35daf757efd150fe0f52590823fa9f08fd762c81b686a8973656b30f99862"},
	{`cbc-256 explicit, 32-byte iv uses 16`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "cbc"), {iv = H"c8c9cacbcccdcecfd0d1d2d3d4d5d6d7000102030405060708090a0b0c0d0e0f"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"dafde4fe5a659d17ddd39a87f3aaa52dd6e5b162b82e168160f9fcb341102de5"},
	{`ecb-256 explicit`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "ecb"), {iv = H"c8c9cacbcccdcecfd0d1d2d3d4d5d6d7"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"57d718be6bc1b04bff87d0be33d6ba50bf0ba9a3c40f88f64452d78777d03205"},
	{`cfb1-256 explicit`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "cfb1"), {iv = H"c8c9cacbcccdcecfd0d1d2d3d4d5d6d7"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"2b07b271697c152ebdf8164249c9eadaba306dc5ef7c48d54c8d"},
	{`cfb8-256 explicit`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "cfb8"), {iv = H"c8c9cacbcccdcecfd0d1d2d3d4d5d6d7"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"64a2f28fccb621c1d7d39fc57d0a004815fd4a5f9fcc089f4345"},
	{`cfb128-256 explicit`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "cfb128"), {iv = H"c8c9cacbcccdcecfd0d1d2d3d4d5d6d7"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"6479d6f41f030b99ea73930c11a4e421564ba9a5c02216874357"},
	{`ofb-256 explicit`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "ofb"), {iv = H"c8c9cacbcccdcecfd0d1d2d3d4d5d6d7"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"6479d6f41f030b99ea73930c11a4e4210a28567bf5dde415d9d4"},
	{`ctr-256 explicit`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "ctr"), {iv = H"c8c9cacbcccdcecfd0d1d2d3d4d5d6d7"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"6479d6f41f030b99ea73930c11a4e42128eff862a14df8764889"},
	{`ctr-128 counter wraps`, `H"000102030405060708090a0b0c0d0e0f", nil, aes.cipher(128, "ctr"), {iv = H"fffffffffffffffffffffffffffffffe"}`, "68656c6c6f20776f726c642c207468697320697320726573747968656c6c6f20776f726c642c207468697320697320726573747968656c6c6f20776f726c642c2074686973206973207265737479",
		"ded0aeb442aba360bd22bcd88e1aff874f647641ee75e75010aecafc623cd433b1ce495be3a37bf60726f242c8bbf80b163567ecfda5d872265bca8c1798492669a2ef3aeabbcfffc3fb1f1b14f8"},
	{`gcm-256 explicit 8-byte iv`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "gcm"), {iv = H"3233343536373839"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"b5b0d6c9f00a0e9be3cefe519ae359ba36437d39962f488120e7 6fa88cf5b61a00eca1865619dd3dbe4b"},
	{`gcm-256 explicit 12-byte iv`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "gcm"), {iv = H"32333435363738393a3b3c3d"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"90f6522a83548bcea9c1c2f1711a9cbfd53732679f5c15a42ffd db3450859f6f0854be60045aa9adfece"},
	{`gcm-256 explicit 16-byte iv`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "gcm"), {iv = H"32333435363738393a3b3c3d3e3f4041"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"99ce081f7ed7a99c454e922b977bd4db8f32db1d067a1215bd52 6aab7e1b9b3c65d6148f97dba2fbc9d6"},
	{`gcm-256 explicit 32-byte iv`, `H"6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283", nil, aes.cipher(256, "gcm"), {iv = H"32333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051"}`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"22a093d4f751820249a3bfe8636a270888056cbfad63b84910ee 8558d5a661236f2c660b08c9505b1a4c"},
	{`gcm-128 empty plaintext`, `H"000102030405060708090a0b0c0d0e0f", nil, aes.cipher(128, "gcm"), {iv = H"c8c9cacbcccdcecfd0d1d2d3"}`, "",
		" 67f3f31c446e5fd1750c307eae4fadc4"},
	{`cbc-128 exact blocks get a pad block`, `"secret"`, "3031323334353637383961626364656630313233343536373839414243444546",
		"dc68748dc88a95c3bb77ecc44f39dcfcef6be4860b6b63024424ce5c2d72646cd0114940e5785bb41bf6026ad330b2eb"},
	{`cbc-128 empty plaintext`, `"secret"`, "",
		"027b63c4bbeb3b9ce522ff48cdec8ade"},
	{`cbc-128 padding off`, `"secret", nil, nil, nil, nil, nil, false`, "3031323334353637383961626364656630313233343536373839414243444546",
		"dc68748dc88a95c3bb77ecc44f39dcfcef6be4860b6b63024424ce5c2d72646c"},
	{`ecb-192 padding off`, `"secret", nil, aes.cipher(192, "ecb"), nil, nil, nil, false`, "3031323334353637383961626364656630313233343536373839414243444546",
		"f57fdc918afcdacc620571f31bf8c68014acc9b7841458885b9827b5e1399c72"},
	{`ctr-128 padding off, odd length`, `"secret", nil, aes.cipher(128, "ctr"), nil, nil, nil, false`, "68656c6c6f20776f726c642c2074686973206973207265737479",
		"e50b8429a7297331661217bba0eed674ec7b65bbb36c81e97de1"},

	// lua-resty-string's own t/aes.t expectations.
	{"t/aes.t 1: default", `"secret"`, "68656c6c6f", "7b47a4dbb11e2cddb2f3740c9e3a552b"},
	{"t/aes.t 2: empty key", `""`, "68656c6c6f", "6cb1a35bf9d66e92c9dec684fc329746"},
	{"t/aes.t 3: salt", `"secret", "WhatSalt"`, "68656c6c6f", "f72db89f8e19326d8da4928be106705c"},
	{"t/aes.t 5: ecb-256 sha1", `"secret", nil, aes.cipher(256, "ecb"), aes.hash.sha1`, "68656c6c6f", "927148b31f0e89696a222489403f540d"},
	{"t/aes.t 6: ecb-256 sha1 x5", `"secret", nil, aes.cipher(256, "ecb"), aes.hash.sha1, 5`, "68656c6c6f", "d1a9b6e59b8980e783df223889563bee"},
	{"t/aes.t 7: custom keygen", `"Xr4ilOzQ4PCOq3aQ0qbuaQ==", nil, aes.cipher(128, "cbc"), {iv = ngx.decode_base64("Jq5cyFTja2vfyjZoSN6muw=="), method = ngx.decode_base64}`,
		"68656c6c6f", "7b47a4dbb11e2cddb2f3740c9e3a552b"},
	{"t/aes.t 8: custom keygen without method", `ngx.decode_base64("Xr4ilOzQ4PCOq3aQ0qbuaQ=="), nil, aes.cipher(128, "cbc"), {iv = ngx.decode_base64("Jq5cyFTja2vfyjZoSN6muw==")}`,
		"68656c6c6f", "7b47a4dbb11e2cddb2f3740c9e3a552b"},
	{"t/aes.t 11: gcm-256 sha256", `"secret", nil, aes.cipher(256, "gcm"), aes.hash.sha256, 1, 12`,
		"68656c6c6f", "4acef84443 bcecc29fb0d8b5c895e21f6ea89681a2"},
	{"t/aes.t 12: gcm-256 with iv", `H"40A4510F290AD8182AF4B0260C655F8511E5B46BCA20EA191D8BC7B4D99CE95F", nil, aes.cipher(256, "gcm"), {iv = H"f31a8c01e125e4720481be05"}`,
		"3133373730373133373130", "755eccf6aa0cd51d55ad0c 9a61f5a3cc3089bbe7de00a3dd484a1d"},
	{"t/aes.t 15: user padding, padding off", `H"69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051", nil, aes.cipher(256, "cbc"), {iv = H"69b71d79f8218a39259a7a29aabb2dba"}, nil, nil, false`,
		"68656c6c6f" + strings.Repeat("1b", 27), "eebf8ca13072beede75c595a11b7fb0beffb7ccfb03f72d08456b555610172d1"},
	{"t/aes.t 16: user padding, padding on", `H"69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051", nil, aes.cipher(256, "cbc"), {iv = H"69b71d79f8218a39259a7a29aabb2dba"}, nil, nil, true`,
		"68656c6c6f" + strings.Repeat("1b", 27), "eebf8ca13072beede75c595a11b7fb0beffb7ccfb03f72d08456b555610172d15c54a6a02e960ce527a28c8551adfdff"},
	{"t/aes.t 17: padding on", `H"69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051", nil, aes.cipher(256, "cbc"), {iv = H"69b71d79f8218a39259a7a29aabb2dba"}`,
		"68656c6c6f", "794617717c15d28cc729b983cb9d2257"},
}

// TestAesVectors encrypts each vector, checks the ciphertext, that it
// decrypts back and that a second encrypt starts again from the IV.
func TestAesVectors(t *testing.T) {
	for _, v := range aesVectors {
		t.Run(v.name, func(t *testing.T) {
			src := aesPrelude + `
local a, err = aes:new(` + v.args + `)
if not a then ngx.say("new: ", err) return end
local plain = H"` + v.plain + `"
local e, err = a:encrypt(plain)
if not e then ngx.say("encrypt: ", err) return end
local flat
if type(e) == "table" then
  ngx.say(str.to_hex(e[1]), " ", str.to_hex(e[2]))
  ngx.say(a:decrypt(e[1], e[2]) == plain)
  flat = e[1] .. e[2]
else
  ngx.say(str.to_hex(e))
  ngx.say(a:decrypt(e) == plain)
  flat = e
end
local e2 = a:encrypt(plain)
ngx.say((type(e2) == "table" and e2[1] .. e2[2] or e2) == flat)
`
			want := v.want + "\ntrue\ntrue\n"
			stdout, stderr, code := run(t, src)
			if stdout != want || code != 0 {
				t.Errorf("stdout:\n got %q\nwant %q\nexit code %d, log:\n%s", stdout, want, code, stderr)
			}
		})
	}
}

// aesErrorCases check the failures' return values and errors.
var aesErrorCases = []struct{ name, src, want string }{
	{"salt too long", `ngx.say(aes:new("secret", "Oversized!"))`, "nilsalt must be 8 characters or nil\n"},
	{"salt too short", `local a, err = aes:new("secret", "abc") ngx.say(a, ", ", err)`, "nil, salt must be 8 characters or nil\n"},
	{"bad key length", `ngx.say(aes:new("hel", nil, aes.cipher(128, "cbc"), {iv = ("x"):rep(16)}))`, "nilbad key length\n"},
	{"bad key length for 256", `ngx.say(aes:new(("k"):rep(16), nil, aes.cipher(256, "cbc"), {iv = ("x"):rep(16)}))`, "nilbad key length\n"},
	{"bad key length from method", `ngx.say(aes:new("k", nil, nil, {iv = ("x"):rep(16), method = function(k) return k .. k end}))`, "nilbad key length\n"},
	{"bad iv length", `ngx.say(aes:new(("k"):rep(16), nil, aes.cipher(128, "cbc"), {iv = "helloworld&helloworld"}))`, "nilbad iv length\n"},
	{"iv is needed", `ngx.say(aes:new(("k"):rep(16), nil, nil, {}))`, "niliv is needed\n"},
	{"gcm empty iv", `ngx.say(aes:new(("k"):rep(16), nil, aes.cipher(128, "gcm"), {iv = ""}))`, "nilfailed to set IV length\n"},
	{"wrong padding", `
local raw = aes:new("secret", nil, nil, nil, nil, nil, false)
local padded = aes:new("secret")
local e = raw:encrypt(("a"):rep(15) .. "\0")
ngx.say(#e, " ", padded:decrypt(raw:encrypt(("a"):rep(15) .. "\0")))
local a, err = padded:decrypt(raw:encrypt(("a"):rep(14) .. "\3\2"))
ngx.say(a, ", ", err)
ngx.say(padded:decrypt(raw:encrypt(("a"):rep(15) .. "\17")))
ngx.say(padded:decrypt(raw:encrypt(("a"):rep(15) .. "\1")))`,
		"16 nilEVP_DecryptFinal_ex failed\nnil, EVP_DecryptFinal_ex failed\nnilEVP_DecryptFinal_ex failed\naaaaaaaaaaaaaaa\n"},
	{"truncated ciphertext", `
local a = aes:new("secret")
local e = a:encrypt("hello world, this is resty")
ngx.say(a:decrypt(e:sub(1, 31)))
ngx.say(a:decrypt(""))
ngx.say(aes:new("secret", nil, aes.cipher(128, "ecb")):decrypt(e:sub(1, 17)))`,
		"nilEVP_DecryptFinal_ex failed\nnilEVP_DecryptFinal_ex failed\nnilEVP_DecryptFinal_ex failed\n"},
	{"padding off needs whole blocks", `
local a = aes:new("secret", nil, nil, nil, nil, nil, false)
ngx.say(a:encrypt("hello"))
ngx.say(a:decrypt(("x"):rep(17)))
ngx.say(#a:encrypt(""), " ", #a:decrypt(""))`,
		"nilEVP_EncryptFinal_ex failed\nnilEVP_DecryptFinal_ex failed\n0 0\n"},
	{"gcm bad tag", `
local a = aes:new("secret", nil, aes.cipher(256, "gcm"))
local e = a:encrypt("hello")
ngx.say(a:decrypt(e[1]))
ngx.say(a:decrypt(e[1], ("\0"):rep(16)))
ngx.say(a:decrypt(e[1], e[2]:sub(1, 15)))
ngx.say(a:decrypt(e[1] .. "x", e[2]))
ngx.say(a:decrypt(e[1], e[2] .. "extra"))`,
		"nilEVP_DecryptFinal_ex failed\nnilEVP_DecryptFinal_ex failed\nnilEVP_DecryptFinal_ex failed\nnilEVP_DecryptFinal_ex failed\nhello\n"},
	{"gcm aad", `
local a = aes:new("secret", nil, aes.cipher(128, "gcm"), nil, 1, 12)
local e = a:encrypt("hello", "header")
ngx.say(a:decrypt(e[1], e[2], "header"))
ngx.say(a:decrypt(e[1], e[2]))
ngx.say(str.to_hex(a:encrypt("hello")[2]) ~= str.to_hex(e[2]))`,
		"hello\nnilEVP_DecryptFinal_ex failed\ntrue\n"},
	{"self must be a table", `
local a = aes:new("secret")
local ok, err = pcall(function() return a.encrypt("hello") end)
ngx.say(err)
ok, err = pcall(function() return a.decrypt("hello") end)
ngx.say(err)`,
		"test:6: bad argument #1 self: table expected, got string\ntest:8: bad argument #1 self: table expected, got string\n"},
	{"unknown mode", `
ngx.say(select(2, pcall(aes.cipher, 128, "xts")))
ngx.say(select(2, pcall(aes.cipher, 512)))`,
		"missing declaration for symbol 'EVP_aes_128_xts'\nmissing declaration for symbol 'EVP_aes_512_cbc'\n"},
	{"cipher tables", `
local c = aes.cipher()
ngx.say(c.size, " ", c.cipher, " ", type(c.method))
c = aes.cipher(256, "gcm")
ngx.say(c.size, " ", c.cipher, " ", c.method == aes.cipher("256", "gcm").method, " ", c.method ~= aes.cipher(128, "gcm").method)
for _, h in ipairs{"md5", "sha1", "sha224", "sha256", "sha384", "sha512"} do assert(aes.hash[h], h) end
ngx.say(aes.new == aes.new, " ", type(aes:new("secret")))`,
		"128 cbc userdata\n256 gcm true true\ntrue table\n"},
	{"key derivation depends on the digest", `
local a = aes:new("secret", nil, nil, aes.hash.sha256)
local b = aes:new("secret")
ngx.say(a:encrypt("x") ~= b:encrypt("x"), " ", b:decrypt(a:encrypt("hello world, resty")) ~= "hello world, resty")`,
		"true true\n"},
}

// TestAesErrors checks resty.aes's failure returns and raised errors.
func TestAesErrors(t *testing.T) {
	for _, c := range aesErrorCases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := run(t, aesPrelude+c.src)
			if stdout != c.want || code != 0 {
				t.Errorf("stdout:\n got %q\nwant %q\nexit code %d, log:\n%s", stdout, c.want, code, stderr)
			}
		})
	}
}
