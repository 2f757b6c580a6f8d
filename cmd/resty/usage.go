package main

// usageText is resty's help, listing resty-cli's options; those that drive
// an nginx process are listed too, and fail with a clear message.
const usageText = `resty [options] [lua-file [args]]

Options:
    -c NUM              Maximal connection count (accepted; default: 64).
    -e PROG             Run the inlined Lua code in "prog" (repeatable,
                        joined with "; ", run before the file).

    --errlog-level LEVEL
                        Set the error log level: debug, info, notice, warn,
                        error, crit, alert, or emerg (default: warn).

    --help, -h          Print this help.

    --http-conf CONF    Only 'lua_shared_dict NAME SIZE;',
                        'lua_package_path "...";',
                        'lua_ssl_trusted_certificate FILE;', the
                        lua_socket_*_timeout directives,
                        'lua_socket_pool_size N;' and
                        'lua_capture_error_log SIZE;' are supported.

    -i                  Open the REPL (after running the program, if one
                        is given). resty with no program on a terminal,
                        and resty repl, open it too.

    -I DIR              Add DIR to the search paths for Lua libraries.

    -j dump|off|v       Accepted for compatibility; there is no JIT.

    -l LIB              Require library "lib" (in order with -e).

    --no-color          No colours in the REPL (NO_COLOR=1 does the same).

    --ns IP[:PORT]      Use a custom name server (repeatable).

    --resolve-ipv6      Make the resolver look up IPv6 addresses too.

    --shdict 'NAME SIZE'
                        Create the lua shared dict NAME of SIZE bytes
                        (k/K/m/M suffixes; repeatable).

    -V, -v              Print the version.

    -                   Read the program from standard input (also when no
                        program is given and standard input is not a
                        terminal).

Commands beyond resty-cli:
    resty repl [options]                the REPL (resty -i does the same)
    resty serve DIR | -c nginx.conf     serve HTTP (resty serve --help)
    resty completion bash|zsh|fish|powershell
                                        a shell completion script
    resty man [DIR]                     the man page

Examples:
    resty -e 'ngx.say(ngx.md5("hello"))'
    resty script.lua arg1 arg2
    resty --shdict 'cache 1m' -e 'ngx.shared.cache:set("k", 1) ngx.say(ngx.shared.cache:get("k"))'
    resty -e 'local redis = require "resty.redis" local r = redis.new() assert(r:connect("127.0.0.1", 6379)) ngx.say(r:ping())'
    resty serve site/ --listen 127.0.0.1:8080

Options that drive an nginx process (--nginx, --main-conf, --stream-conf,
--http-include, --main-include, --load-module, --gdb, --gdb-opts,
--valgrind, --valgrind-opts, --rr, --stap, --stap-opts, --user-runner,
--dump-nginx-conf) are not supported: this resty runs Lua without nginx.
`
