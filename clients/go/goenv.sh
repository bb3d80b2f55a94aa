# Sourced: the Go environment of this module. GOPATH mode (no module proxy is
# needed or reachable): this directory's src/ holds package flashsale/..., and
# Debian's golang-*-dev packages put pgx and its dependencies in /usr/share/gocode.
FLASHSALE_GOPATH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GO111MODULE=off
export GOPATH="$FLASHSALE_GOPATH:/usr/share/gocode"
export GOFLAGS=
