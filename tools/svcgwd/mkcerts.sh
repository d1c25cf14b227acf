#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkcerts.sh DIR NAME...
#
# Certificates for svcgwd's control channel, for tests and trials (use
# your own PKI in production): DIR/ca.crt and DIR/ca.key, a CA made if DIR
# has none, and for each NAME, DIR/NAME.crt (CN=NAME, signed by that CA,
# 30 days) and DIR/NAME.key.  EC P-256 keys.  Nodes are named by the CN of
# their certificates (Documentation/svcgwd.rst, "The control channel").

set -euo pipefail

[ $# -ge 2 ] || { echo "usage: mkcerts.sh DIR NAME..." >&2; exit 1; }
dir=$1
shift
mkdir -p "$dir"
umask 077
if ! [ -s "$dir/ca.crt" ]; then
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 30 \
		-subj "/CN=svcgw test CA $(basename "$dir") $RANDOM" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2> /dev/null
fi
for name in "$@"; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/$name.key" -out "$dir/$name.csr" \
		-subj "/CN=$name" 2> /dev/null
	openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" \
		-CAkey "$dir/ca.key" -CAcreateserial -days 30 \
		-out "$dir/$name.crt" \
		-extfile <(printf '%s\n' "subjectAltName=DNS:$name" \
			"basicConstraints=critical,CA:FALSE" \
			"keyUsage=critical,digitalSignature" \
			"extendedKeyUsage=serverAuth,clientAuth") 2> /dev/null
	rm -f "$dir/$name.csr"
done
chmod 644 "$dir"/*.crt
