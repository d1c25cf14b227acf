#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# completion.sh: tools/completion/svcgw (bash completion) against the
# programs' own help: every object and command of "svcgw help" completes
# from its prefix, every keyword of a command line completes after the
# command, every option of svcgwd's usage completes.  TAP on stdout.

set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/tap.sh
source selftests/tap.sh
bc=/usr/share/bash-completion/bash_completion
[ -f "$bc" ] || { echo "1..0 # SKIP no bash-completion"; exit 0; }
# shellcheck disable=SC1090
source "$bc"
source tools/completion/svcgw

# complete LINE: the words bash would offer for the last word of LINE.
complete_line()
{
	local line=$1 f
	COMP_LINE=$line
	COMP_POINT=${#line}
	read -r -a COMP_WORDS <<< "$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	f=_${COMP_WORDS[0]}
	"$f" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	echo "${COMPREPLY[*]}"
}

# The command lines of "svcgw help": "svcgw OBJECT COMMAND [ARGS...]".
mapfile -t lines < <(python3 - <<'PY'
import re, subprocess
t = subprocess.run(["tools/svcgw/svcgw", "help"], capture_output=True, text=True).stdout
cur = None
out = []
for raw in t.split("\n"):
    s = raw.strip()
    if re.match(r"svcgw [a-z]", s):
        if cur: out.append(cur)
        cur = s
    elif cur and s and len(raw) - len(raw.lstrip()) > 2 and not s.startswith("svcgw"):
        cur += " " + s
    else:
        if cur: out.append(cur)
        cur = None
if cur: out.append(cur)
for l in out: print(l)
PY
)
bad=
for l in "${lines[@]}"; do
	read -r -a w <<< "$l"
	obj=${w[1]} cmd=${w[2]:-}
	[[ " $(complete_line "svcgw ${obj:0:2}") " == *" $obj "* ]] || bad+=" [$obj]"
	[ -z "$cmd" ] && continue
	[[ $cmd == [a-z]* ]] || continue
	[[ " $(complete_line "svcgw $obj ${cmd:0:2}") " == *" $cmd "* ]] || bad+=" [$obj $cmd]"
	# Keywords: the lower-case words of the line's arguments that are
	# not values of a keyword's choice list (a|b).
	for kw in $(echo "${w[@]:3}" | tr -d '[]' | tr ' ' '\n' | grep -E '^[a-z][a-z0-9-]*$'); do
		case $kw in tcp|udp|off|on|stateless|stateful|hybrid|reschedule|expire|nat|ipip|gue|active|draining|down|up) continue ;; esac
		[[ " $(complete_line "svcgw $obj $cmd x ") " == *" $kw "* ]] || bad+=" [$obj $cmd $kw]"
	done
done
ok "$([ -z "$bad" ]; echo $?)" \
	"svcgw: each of the ${#lines[@]} command lines of svcgw help completes (objects, commands, keywords)${bad:+; not:$bad}"
ok "$([ "$(complete_line "svcgw service add 192.0.2.1:80 proto ")" = "tcp udp" ]; echo $?)" \
	"  proto's values: $(complete_line "svcgw service add 192.0.2.1:80 proto ")"
ok "$([ "$(complete_line "svcgw server set x proto tcp server y state ")" = "active draining down" ]; echo $?)" \
	"  a server's states: $(complete_line "svcgw server set x proto tcp server y state ")"
opts=$(tools/svcgwd/svcgwd --help 2>&1 | grep -oE -- '(^|[ \[])(-f|--[a-z-]+)' | tr -d ' [' | sort -u)
bad=
for o in $opts; do
	[[ " $(complete_line "svcgwd ${o:0:4}") " == *" $o "* ]] || bad+=" $o"
done
ok "$([ -z "$bad" ] && [ -n "$opts" ]; echo $?)" \
	"svcgwd: every option of its usage completes ($(echo $opts))${bad:+; not:$bad}"
tap_done
