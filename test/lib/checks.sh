# PASS/FAIL bookkeeping for the test entry points that end with "SUITE: N passed, M
# failed". Sourced. Set LOG (a scratch file for a command's output) first.
passed=0
failed=0

say() { printf '==> %s\n' "$*" >&2; }
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# check NAME COMMAND...: one PASS or FAIL line for the command's exit status, which it
# returns; the command's output goes to stderr.
check() {
    local name=$1
    shift
    if "$@" >"$LOG" 2>&1; then
        cat "$LOG" >&2
        pass "$name"
    else
        cat "$LOG" >&2
        fail "$name"
        return 1
    fi
}
