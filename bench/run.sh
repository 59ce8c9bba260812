#!/usr/bin/env bash
# tessera's benchmark: full clean builds of a generated review, tessera against Hugo.
#
#   bench/run.sh
#
# For each size it generates the same review for both engines with the gen-review example
# (examples/gen-review.rs), then times full clean builds, alternating the engines, and prints
# the median wall and CPU time, pages written, pages per second, peak memory and the
# tessera/Hugo ratio (tessera without search, as Hugo has none); then tessera with search
# off and on, and serve edit-to-reload latency, when this tessera build has them. See
# bench/README.md.
#
# Environment (all optional):
#   BENCH_SIZES="1000 10000"  case-study counts to benchmark
#   BENCH_RUNS=3              timed runs per engine and size (at least 1; 3+ for a median)
#   BENCH_SEED=7              generator seed
#   BENCH_GEN_ARGS=""         more gen-review arguments, e.g. "--broad-theme" (a theme on
#                             every case study); use its own BENCH_WORK
#   BENCH_WORK=DIR            where corpora and outputs go (default: /dev/shm/tessera-bench
#                             when /dev/shm exists, else bench/work/)
#   BENCH_HUGO=0              skip Hugo
#   BENCH_BUILD=0             skip `cargo build` and use the binaries already in target/release
#   BENCH_TESSERA=PATH        the tessera binary to measure (default: target/release/tessera)
#   BENCH_SERVE_EDITS=10      edits timed by the serve-latency check, for each kind
#   BENCH_SERVE_KINDS="body title"  kinds of edit timed (serve_latency.py --edit)
#   BENCH_DISK=DIR            where outputs on the ordinary disk go (/var/tmp/tessera-bench)
#   BENCH_ONLY=places         only the tmpfs/disk, new/over and check-vs-build comparisons
#   BENCH_ONLY=build          only the full clean build against Hugo (step 3), e.g. at 30,000
#   BENCH_ONLY=serve          only the serve latency (step 7)
#   BENCH_SEARCH=0, BENCH_SERVE=0  skip search on/off, serve latency
#   BENCH_PAGEFIND=PATH       the Pagefind command-line tool for "hugo + pagefind" in the
#                             search step (default: `pagefind` on PATH, else npm installs
#                             pagefind@1.6.0, the version tessera links, into WORK)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${BENCH_SIZES:-"1000 10000"}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-7}
SERVE_EDITS=${BENCH_SERVE_EDITS:-10}
if [[ -n ${BENCH_WORK:-} ]]; then
    WORK=$BENCH_WORK
elif [[ -d /dev/shm && -w /dev/shm ]]; then
    WORK=/dev/shm/tessera-bench
else
    WORK=$REPO/bench/work
fi
DISK=${BENCH_DISK:-/var/tmp/tessera-bench}
TESSERA=${BENCH_TESSERA:-$REPO/target/release/tessera}
GEN=$REPO/target/release/examples/gen-review
TIME=/usr/bin/time

HAVE_HUGO=0
HAVE_TESSERA=0
APT_UPDATED=0
SERVER_PID=""
SUMMARY=()
EXTRAS=()

# Set by run_once.
LAST_SECONDS=""
LAST_CPU=""
LAST_RSS_KB=""
LAST_PAGES=""

log() { printf '%s\n' "$*" >&2; }
die() {
    log "bench: $*"
    exit 1
}

cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------

# apt_install PACKAGE: installs a Debian package; fails quietly without apt or root.
apt_install() {
    command -v apt-get >/dev/null || return 1
    [[ $(id -u) -eq 0 ]] || return 1
    if [[ $APT_UPDATED -eq 0 ]]; then
        apt-get update -qq >/dev/null 2>&1 || return 1
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1
}

ensure_time() {
    if ! "$TIME" -v true >/dev/null 2>&1; then
        log "bench: installing GNU time (for peak memory)"
        apt_install time || die "GNU time (/usr/bin/time -v) is missing and could not be installed"
    fi
}

ensure_hugo() {
    if [[ ${BENCH_HUGO:-1} == 0 ]]; then
        log "bench: Hugo skipped (BENCH_HUGO=0)"
        return
    fi
    if ! command -v hugo >/dev/null; then
        log "bench: installing Debian's hugo"
        apt_install hugo || true
    fi
    if command -v hugo >/dev/null; then
        HAVE_HUGO=1
    else
        log "bench: hugo is not installed and could not be installed: Hugo is skipped"
    fi
}

# ensure_pagefind: sets PAGEFIND to the Pagefind command-line tool, or leaves it empty
# (then the search step measures tessera alone and says why).
PAGEFIND=""
ensure_pagefind() {
    if [[ -n ${BENCH_PAGEFIND:-} ]]; then
        PAGEFIND=$BENCH_PAGEFIND
    elif command -v pagefind >/dev/null; then
        PAGEFIND=$(command -v pagefind)
    elif [[ -x $WORK/pagefind-cli/node_modules/.bin/pagefind ]]; then
        PAGEFIND=$WORK/pagefind-cli/node_modules/.bin/pagefind
    elif command -v npm >/dev/null; then
        log "bench: installing the Pagefind command-line tool (npm, pagefind@1.6.0) into $WORK/pagefind-cli"
        if npm install --silent --prefix "$WORK/pagefind-cli" pagefind@1.6.0 >/dev/null 2>&1; then
            PAGEFIND=$WORK/pagefind-cli/node_modules/.bin/pagefind
        fi
    fi
    if [[ -n $PAGEFIND ]] && ! "$PAGEFIND" --version >/dev/null 2>&1; then
        PAGEFIND=""
    fi
}

build_tools() {
    if [[ ${BENCH_BUILD:-1} == 0 ]]; then
        log "bench: using the binaries already built (BENCH_BUILD=0)"
    else
        log "bench: cargo build --release"
        (cd "$REPO" && cargo build --release --quiet && cargo build --release --quiet --example gen-review) ||
            die "cargo build --release failed"
    fi
    [[ -x $GEN ]] || die "$GEN is missing: run cargo build --release --example gen-review"
    local help
    help=$("$TESSERA" build --help 2>&1 || true)
    if [[ $help == *--root* && $help == *--output* ]]; then
        HAVE_TESSERA=1
    else
        log "bench: \`tessera build\` is not available in this build: tessera is skipped"
    fi
}

machine_info() {
    local cpu
    cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
    echo "machine: ${cpu:-unknown CPU}, $(nproc) CPUs, $(free -h | awk '/^Mem:/ {print $2}') RAM"
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) (other work on the machine skews wall times)"
    echo "work dir: $WORK; outputs on disk: $DISK ($(df -T "$(dirname "$DISK")" | awk 'NR == 2 {print $2}'))"
    if [[ $HAVE_HUGO -eq 1 ]]; then
        echo "hugo: $(hugo version | head -1)"
    fi
    echo "tessera: $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo 'no commit') (working tree)"
}

# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------

# median NUMBER...: the median (mean of the middle two for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
        END { if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# max NUMBER...
max() { printf '%s\n' "$@" | sort -g | tail -1; }

# run_once LOG OUT COMMAND...: removes OUT, runs COMMAND under GNU time and sets LAST_SECONDS
# (wall), LAST_CPU (user + system seconds), LAST_RSS_KB and LAST_PAGES (.html files in OUT).
# Output goes to LOG. Fails if COMMAND fails.
run_once() {
    local log_file=$1 out=$2
    shift 2
    if [[ ${KEEP_OUT:-0} == 0 ]]; then
        rm -rf "$out"
    fi
    local start end
    start=$(date +%s%N)
    if ! "$TIME" -v -o "$log_file.time" "$@" >"$log_file" 2>&1; then
        return 1
    fi
    end=$(date +%s%N)
    LAST_SECONDS=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
    LAST_CPU=$(awk -F': ' '/(User|System) time \(seconds\)/ { t += $2 } END { printf "%.2f", t }' "$log_file.time")
    LAST_RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log_file.time")
    LAST_PAGES=$( (find "$out" -name '*.html' 2>/dev/null || true) | wc -l)
}

# Per-engine measurements of the current size, as space-separated lists.
declare -A WALL CPU RSS PAGES OK

# measure ENGINE DIR [OUT]: one build of ENGINE on the corpus in DIR into OUT (default
# DIR/out-ENGINE; removed first unless KEEP_OUT=1); records its figures under ENGINE, or
# prints the start of its log and marks it failed. ENGINE may carry a label after the
# engine's name ("tessera disk new").
measure() {
    local engine=$1 dir=$2 out=${3:-$2/out-$1}
    local cmd log=$dir/${1// /-}.log
    case $engine in
    tessera*) cmd=("$TESSERA" build --root "$dir/tessera" --output "$out") ;;
    hugo*) cmd=(hugo --source "$dir/hugo" --destination "$out" --quiet) ;;
    check*) cmd=("$TESSERA" check --root "$dir/tessera") ;;
    esac
    if run_once "$log" "$out" "${cmd[@]}"; then
        WALL[$engine]+=" $LAST_SECONDS"
        CPU[$engine]+=" $LAST_CPU"
        RSS[$engine]+=" $LAST_RSS_KB"
        PAGES[$engine]=$LAST_PAGES
    else
        log "  $engine failed on the generated corpus; the start of its output ($log):"
        head -20 "$log" | sed 's/^/    /' >&2
        OK[$engine]=0
    fi
}

# report SIZE ENGINE: prints one engine's figures, records a summary row and sets
# REPORTED_MEDIAN to its median wall time.
REPORTED_MEDIAN=""
report() {
    local size=$1 engine=$2
    local wall cpu pages=${PAGES[$engine]} med cpu_med peak_mb rate
    read -ra wall <<<"${WALL[$engine]}"
    read -ra cpu <<<"${CPU[$engine]}"
    med=$(median "${wall[@]}")
    cpu_med=$(median "${cpu[@]}")
    # shellcheck disable=SC2086 # the list is meant to split into numbers
    peak_mb=$(awk -v kb="$(max ${RSS[$engine]})" 'BEGIN { printf "%.0f", kb / 1024 }')
    rate=$(awk -v p="$pages" -v s="$med" 'BEGIN { printf "%.0f", (s > 0 ? p / s : 0) }')
    printf '  %-18s median %7.3f s wall (runs:%s), %.2f s CPU, %d pages, %d pages/s, peak RSS %d MB\n' \
        "$engine" "$med" "${WALL[$engine]}" "$cpu_med" "$pages" "$rate" "$peak_mb"
    SUMMARY+=("$(printf '| %6s | %-18s | %8.3f | %7.2f | %6d | %7d | %6d |' \
        "$size" "$engine" "$med" "$cpu_med" "$pages" "$rate" "$peak_mb")")
    REPORTED_MEDIAN=$med
}

# bench_build SIZE DIR: full clean builds, the engines alternating.
bench_build() {
    local size=$1 dir=$2 run engine
    WALL=() CPU=() RSS=() PAGES=()
    OK=([tessera]=$HAVE_TESSERA [hugo]=$HAVE_HUGO)
    for ((run = 1; run <= RUNS; run++)); do
        for engine in tessera hugo; do
            if [[ ${OK[$engine]} -eq 1 ]]; then
                measure "$engine" "$dir"
            fi
        done
    done
    local -A medians=()
    for engine in tessera hugo; do
        if [[ ${OK[$engine]} -eq 1 ]]; then
            report "$size" "$engine"
            medians[$engine]=$REPORTED_MEDIAN
        else
            printf '  %-18s not measured\n' "$engine"
        fi
    done
    if [[ -n ${medians[tessera]:-} && -n ${medians[hugo]:-} ]]; then
        awk -v t="${medians[tessera]}" -v h="${medians[hugo]}" \
            'BEGIN { printf "  ratio tessera/Hugo (median wall time): %.2f\n", t / h }'
    fi
}

# bench_places SIZE DIR: tessera and Hugo alternating, with the output on tmpfs and on the
# ordinary disk (BENCH_DISK), into a new folder and over the previous build (which tessera
# replaces whole and Hugo overwrites in place), with the tessera/Hugo ratio for each.
bench_places() {
    local size=$1 dir=$2 place mode engine run base out
    [[ $HAVE_TESSERA -eq 1 ]] || return
    for place in tmpfs disk; do
        if [[ $place == tmpfs ]]; then base=$dir; else base=$DISK/$size; fi
        mkdir -p "$base"
        for mode in new over; do
            WALL=() CPU=() RSS=() PAGES=()
            OK=([tessera]=1 [hugo]=$HAVE_HUGO)
            for ((run = 1; run <= RUNS; run++)); do
                for engine in tessera hugo; do
                    [[ ${OK[$engine]} -eq 1 ]] || continue
                    out=$base/out-$engine-$place-$mode
                    if [[ $mode == over ]]; then
                        # The previous build: written once, untimed, before the first run.
                        if [[ ! -d $out ]]; then KEEP_OUT=0 measure "$engine" "$dir" "$out"; WALL[$engine]=""; CPU[$engine]=""; RSS[$engine]=""; fi
                        KEEP_OUT=1 measure "$engine" "$dir" "$out"
                    else
                        KEEP_OUT=0 measure "$engine" "$dir" "$out"
                    fi
                done
            done
            local -A medians=()
            for engine in tessera hugo; do
                [[ ${OK[$engine]} -eq 1 && -n ${WALL[$engine]:-} ]] || continue
                WALL["$engine $place $mode"]=${WALL[$engine]}
                CPU["$engine $place $mode"]=${CPU[$engine]}
                RSS["$engine $place $mode"]=${RSS[$engine]}
                PAGES["$engine $place $mode"]=${PAGES[$engine]}
                report "$size" "$engine $place $mode"
                medians[$engine]=$REPORTED_MEDIAN
            done
            if [[ -n ${medians[tessera]:-} && -n ${medians[hugo]:-} ]]; then
                local ratio
                ratio=$(awk -v t="${medians[tessera]}" -v h="${medians[hugo]}" 'BEGIN { printf "%.2f", t / h }')
                echo "  ratio tessera/Hugo, $place, $mode folder: $ratio"
                EXTRAS+=("$(printf '%6s case studies: tessera/Hugo %s on %s, %s folder' "$size" "$ratio" "$place" "$mode")")
            fi
            unset medians
        done
    done
}

# bench_check SIZE DIR: `tessera check` and `tessera build` (tmpfs, new folder) alternating.
bench_check() {
    local size=$1 dir=$2 run
    [[ $HAVE_TESSERA -eq 1 ]] || return
    WALL=() CPU=() RSS=() PAGES=()
    OK=([check]=1 [tessera]=1)
    for ((run = 1; run <= RUNS; run++)); do
        KEEP_OUT=0 measure check "$dir" "$dir/out-check"
        KEEP_OUT=0 measure tessera "$dir" "$dir/out-tessera"
    done
    PAGES[check]=0
    report "$size" check
    local check_med=$REPORTED_MEDIAN
    report "$size" tessera
    local ratio
    ratio=$(awk -v c="$check_med" -v b="$REPORTED_MEDIAN" 'BEGIN { printf "%.2f", c / b }')
    echo "  check/build (median wall time): $ratio"
    EXTRAS+=("$(printf '%6s case studies: check/build %s' "$size" "$ratio")")
}

# bench_search SIZE DIR: tessera's full clean build with search off and on, the two
# alternating, with the same figures as the engines above. The generated site.toml leaves
# search off, so the tessera row above, and its ratio to Hugo (which has no search), is
# search off; here search off is `--no-search` (the plain build if that flag is missing)
# and on is `--search`. Skipped while `tessera build --help` does not mention `--search`.
bench_search() {
    local size=$1 dir=$2 help
    help=$("$TESSERA" build --help 2>&1 || true)
    if [[ $HAVE_TESSERA -eq 0 || $help != *--search* ]]; then
        echo "  search: not available in this build"
        return
    fi
    local off_flags=() run variant flags=()
    if [[ $help == *--no-search* ]]; then
        off_flags=(--no-search)
    fi
    local variants=("tessera search off" "tessera search on")
    # What a Hugo site does for the same search: Hugo, then Pagefind's own tool on its pages
    # (wall and CPU are the two together, peak memory the larger of the two).
    if [[ $HAVE_HUGO -eq 1 && ${BENCH_HUGO:-1} != 0 ]]; then
        ensure_pagefind
        if [[ -n $PAGEFIND ]]; then
            variants+=("hugo + pagefind")
        else
            echo "  search: no Pagefind command-line tool (set BENCH_PAGEFIND, or install npm): hugo + pagefind skipped"
        fi
    fi
    WALL=() CPU=() RSS=() PAGES=()
    for ((run = 1; run <= RUNS; run++)); do
        for variant in "${variants[@]}"; do
            if [[ $variant == *on ]]; then flags=(--search); else flags=("${off_flags[@]}"); fi
            local log=$dir/${variant// /-}.log out=$dir/out-${variant// /-}
            local cmd=("$TESSERA" build --root "$dir/tessera" --output "$out" "${flags[@]}")
            if [[ $variant == hugo* ]]; then
                # shellcheck disable=SC2016 # $1 and $2 are bash -c's own arguments
                cmd=(bash -c 'hugo --source "$1/hugo" --destination "$2" --quiet && "$3" --site "$2" --silent' \
                    _ "$dir" "$out" "$PAGEFIND")
            fi
            if run_once "$log" "$out" "${cmd[@]}"; then
                WALL[$variant]+=" $LAST_SECONDS"
                CPU[$variant]+=" $LAST_CPU"
                RSS[$variant]+=" $LAST_RSS_KB"
                PAGES[$variant]=$LAST_PAGES
            else
                echo "  search: \`tessera build ${flags[*]}\` failed; the start of its output ($log):"
                head -20 "$log" | sed 's/^/    /'
                return
            fi
        done
    done
    local -A wall_med=() cpu_med=() peak=()
    local cpu=()
    for variant in "${variants[@]}"; do
        report "$size" "$variant"
        wall_med[$variant]=$REPORTED_MEDIAN
        read -ra cpu <<<"${CPU[$variant]}"
        cpu_med[$variant]=$(median "${cpu[@]}")
        # shellcheck disable=SC2086 # the list is meant to split into numbers
        peak[$variant]=$(max ${RSS[$variant]})
    done
    local cost
    cost=$(awk -v won="${wall_med[tessera search on]}" -v woff="${wall_med[tessera search off]}" \
        -v con="${cpu_med[tessera search on]}" -v coff="${cpu_med[tessera search off]}" \
        -v ron="${peak[tessera search on]}" -v roff="${peak[tessera search off]}" \
        'BEGIN { printf "search costs %.3f s wall (x%.2f), %.2f s CPU, %+.0f MB peak RSS", won - woff, (woff > 0 ? won / woff : 0), con - coff, (ron - roff) / 1024 }')
    echo "  $cost"
    EXTRAS+=("$(printf '%6s case studies: %s' "$size" "$cost")")
    if [[ -n ${wall_med[hugo + pagefind]:-} ]]; then
        local versus
        versus=$(awk -v t="${wall_med[tessera search on]}" -v h="${wall_med[hugo + pagefind]}" \
            -v pt="${peak[tessera search on]}" -v ph="${peak[hugo + pagefind]}" \
            'BEGIN { printf "tessera with search / (Hugo + Pagefind): %.2f wall; peak RSS %.0f MB against %.0f MB", t / h, pt / 1024, ph / 1024 }')
        echo "  $versus"
        EXTRAS+=("$(printf '%6s case studies: %s' "$size" "$versus")")
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench_serve SIZE DIR: starts `tessera serve` on the corpus and times file write -> `reload`
# event on /__tessera/events over BENCH_SERVE_EDITS edits (bench/serve_latency.py).
bench_serve() {
    local size=$1 dir=$2 help
    help=$("$TESSERA" serve --help 2>&1 || true)
    if [[ $HAVE_TESSERA -eq 0 || $help != *--port* ]]; then
        echo "  serve latency: not available in this build"
        return
    fi
    local port extra=() result
    port=$(free_port)
    if [[ $help == *--output* ]]; then
        extra=(--output "$dir/out-serve")
    fi
    "$TESSERA" serve --port "$port" --root "$dir/tessera" "${extra[@]}" >"$dir/serve.log" 2>&1 &
    SERVER_PID=$!
    local kind
    for kind in ${BENCH_SERVE_KINDS:-body title}; do
        if result=$(python3 "$REPO/bench/serve_latency.py" --port "$port" --pid "$SERVER_PID" --edits "$SERVE_EDITS" \
            --edit "$kind" --file "$dir/tessera/content/case-studies/case-00001.md"); then
            echo "  $result"
            EXTRAS+=("$(printf '%6s case studies: %s' "$size" "$result")")
        else
            echo "  ${result:-serve latency: failed} (server log: $dir/serve.log)"
            break
        fi
    done
    cleanup
}

bench_size() {
    local size=$1 dir=$WORK/$1
    echo
    echo "== $size case studies =="
    mkdir -p "$dir"
    # shellcheck disable=SC2086 # the arguments are meant to be split
    "$GEN" --case-studies "$size" --out "$dir" --seed "$SEED" ${BENCH_GEN_ARGS:-}
    if [[ ${BENCH_ONLY:-} == places ]]; then
        bench_places "$size" "$dir"
        bench_check "$size" "$dir"
        return
    fi
    if [[ ${BENCH_ONLY:-} == build ]]; then
        bench_build "$size" "$dir"
        return
    fi
    if [[ ${BENCH_ONLY:-} == serve ]]; then
        bench_serve "$size" "$dir"
        return
    fi
    bench_build "$size" "$dir"
    bench_places "$size" "$dir"
    bench_check "$size" "$dir"
    if [[ ${BENCH_SEARCH:-1} != 0 ]]; then bench_search "$size" "$dir"; fi
    if [[ ${BENCH_SERVE:-1} != 0 ]]; then bench_serve "$size" "$dir"; fi
}

print_summary() {
    echo
    echo "== summary: full clean build, median of $RUNS runs =="
    echo
    echo "| size   | engine             | median s | CPU s   | pages  | pages/s | RSS MB |"
    echo "| -----: | ------------------ | -------: | ------: | -----: | ------: | -----: |"
    printf '%s\n' "${SUMMARY[@]}"
    if [[ ${#EXTRAS[@]} -gt 0 ]]; then
        echo
        printf '%s\n' "${EXTRAS[@]}"
    fi
}

main() {
    [[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number, not '$RUNS'"
    ensure_time
    ensure_hugo
    build_tools
    mkdir -p "$WORK"
    machine_info
    local size
    for size in $SIZES; do
        [[ $size =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES holds '$size', not a positive number"
        bench_size "$size"
    done
    print_summary
}

main "$@"
