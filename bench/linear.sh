#!/usr/bin/env bash
# Shows that cost stays linear in the input, whatever the input: for each outsized input
# (examples/gen-review.rs --stress), times `tessera check` and `tessera build` on a small
# review (100 case studies) with the input at size N and at 4N, and on the review without
# it, and prints the growth of the extra time: (t(4N) - t(0)) / (t(N) - t(0)) is about 4
# when the cost is linear, 16 when it is quadratic. See bench/README.md.
#
# Environment (all optional): BENCH_RUNS (3), BENCH_WORK (as run.sh), BENCH_BUILD (1),
# BENCH_TESSERA (target/release/tessera), LINEAR_KINDS (all five).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${BENCH_RUNS:-3}
if [[ -n ${BENCH_WORK:-} ]]; then
    WORK=$BENCH_WORK/linear
elif [[ -d /dev/shm && -w /dev/shm ]]; then
    WORK=/dev/shm/tessera-bench/linear
else
    WORK=$REPO/bench/work/linear
fi
TESSERA=${BENCH_TESSERA:-$REPO/target/release/tessera}
GEN=$REPO/target/release/examples/gen-review
KINDS=${LINEAR_KINDS:-"long-line links problems findings facet-values"}
BASE_CASES=100

# size KIND: N for the kind (4N is measured too).
size() {
    case $1 in
    long-line) echo 2000000 ;;      # words on one line (about 16 MB)
    links) echo 100000 ;;           # links in one file
    problems) echo 20000 ;;         # broken links in one file
    findings) echo 1000 ;;          # the front matter safety limit allows a few thousand
    facet-values) echo 2000 ;;
    esac
}

if [[ ${BENCH_BUILD:-1} != 0 ]]; then
    (cd "$REPO" && cargo build --release --quiet && cargo build --release --quiet --example gen-review)
fi

# median_time DIR COMMAND...: the median wall time in seconds of RUNS runs (exit status ignored).
median_time() {
    local times=() i start end
    for ((i = 0; i < RUNS; i++)); do
        rm -rf "$WORK/out"
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=("$(((end - start) / 1000000))")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# measure DIR: prints "check_ms build_ms" for the review in DIR.
measure() {
    local check build
    check=$(median_time "$TESSERA" check --root "$1/tessera")
    build=$(median_time "$TESSERA" build --root "$1/tessera" --output "$WORK/out")
    echo "$check $build"
}

mkdir -p "$WORK"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$GEN" --case-studies $BASE_CASES --out "$WORK/base" >/dev/null
read -r check0 build0 < <(measure "$WORK/base")
echo "base review ($BASE_CASES case studies): check ${check0} ms, build ${build0} ms"
echo
echo "| input | N | check ms at N / 4N | growth | build ms at N / 4N | growth |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for kind in $KINDS; do
    n=$(size "$kind")
    "$GEN" --case-studies $BASE_CASES --out "$WORK/$kind-1" --stress "$kind" --stress-size "$n" >/dev/null
    "$GEN" --case-studies $BASE_CASES --out "$WORK/$kind-4" --stress "$kind" --stress-size $((4 * n)) >/dev/null
    read -r c1 b1 < <(measure "$WORK/$kind-1")
    read -r c4 b4 < <(measure "$WORK/$kind-4")
    growth() { awk -v a="$1" -v b="$2" -v z="$3" 'BEGIN { d = a - z; printf "%.1f", (d > 0 ? (b - z) / d : 0) }'; }
    echo "| $kind | $n | $c1 / $c4 | $(growth "$c1" "$c4" "$check0") | $b1 / $b4 | $(growth "$b1" "$b4" "$build0") |"
done
