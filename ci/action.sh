#!/usr/bin/env bash
# Check a pull request's review comments with crosscheck: the script the GitHub Action in
# action.yml runs (docs/ci.md, "Pull requests"). It can run anywhere bash 4+ and git are:
#
#   CROSSCHECK_COMMENTS=comments.json CROSSCHECK_BASE=main bash ci/action.sh
#
# Inputs, all from the environment (action.yml sets each from the action input of the same name):
#   CROSSCHECK_COMMENTS     comment exports (JSON as the GitHub or GitLab API returns it): paths or
#                           globs, separated by spaces or newlines. Empty: export the pull request's
#                           review comments, reviews and conversation comments with `gh api` into
#                           CROSSCHECK_EXPORT_DIR (needs GH_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH).
#   CROSSCHECK_BASE         the base revision (`git diff BASE...HEAD` is the change); empty: the
#                           pull request's base sha from GITHUB_EVENT_PATH.
#   CROSSCHECK_PATH         the code: the git work tree or a folder in it (default: .).
#   CROSSCHECK_SCOPE        line, file or tree (default: line).
#   CROSSCHECK_FAIL_ON      gates, separated by spaces: missed, missed:high, ungrounded, ...
#                           (empty: the default policy, or fail-on in [tool.crosscheck])
#   CROSSCHECK_ANNOTATIONS  true: print workflow-command annotations (--format github) on stdout.
#   CROSSCHECK_JOB_SUMMARY  true: append the Markdown summary (--format pr-summary) to GITHUB_STEP_SUMMARY.
#   CROSSCHECK_BIN          the crosscheck command (default: crosscheck on PATH).
#   CROSSCHECK_PYTHON       a Python to read GITHUB_EVENT_PATH with (default: python3).
#   CROSSCHECK_OUTPUT_DIR   where the reports go (default: $RUNNER_TEMP/crosscheck).
#   CROSSCHECK_EXPORT_DIR   where exported comments go (default: $RUNNER_TEMP/crosscheck-comments).
#
# It writes crosscheck.sarif and crosscheck.json to CROSSCHECK_OUTPUT_DIR, and `sarif`, `report` and
# `exit-code` to GITHUB_OUTPUT. Exit code: crosscheck's (0 ok, 1 a gate was met, 2 bad input or a
# failed export, 3 a crosscheck bug); the reports are written whenever crosscheck could check.
set -euo pipefail

if ((BASH_VERSINFO[0] < 4)); then
    echo "::error title=crosscheck::ci/action.sh needs bash 4 or newer (this is $BASH_VERSION)"
    exit 2
fi

# A workflow command's message, escaped so that no input can end it or start another.
escape() {
    local text=$1
    text=${text//'%'/'%25'}
    text=${text//$'\r'/'%0D'}
    text=${text//$'\n'/'%0A'}
    printf '%s' "$text"
}

fail() {
    printf '::error title=crosscheck::%s\n' "$(escape "$1")"
    exit 2
}

trap 'fail "ci/action.sh stopped at line $LINENO (exit $?)"' ERR

is_true() {
    case "$2" in
        true) return 0 ;;
        false) return 1 ;;
        *) fail "$1 must be true or false, not '$2'" ;;
    esac
}

# A field of the event that started the workflow, e.g. `event_field pull_request number`; empty
# when there is no event file or no such field.
event_field() {
    [[ -n "${GITHUB_EVENT_PATH:-}" && -f "$GITHUB_EVENT_PATH" ]] || return 0
    "${CROSSCHECK_PYTHON:-python3}" - "$GITHUB_EVENT_PATH" "$@" <<'PY'
import json
import sys

value = json.load(open(sys.argv[1], encoding="utf-8"))
for key in sys.argv[2:]:
    value = value.get(key) if isinstance(value, dict) else None
print("" if value is None or isinstance(value, (dict, list)) else value)
PY
}

# Export the pull request's comments with the GitHub CLI, one file per kind. The file names never
# change: the reports' code scanning categories are made from them.
export_comments() {
    local number dir name endpoint
    number=$(event_field pull_request number)
    [[ "$number" =~ ^[0-9]+$ ]] \
        || fail "no pull request in this event: run on pull_request or pull_request_review, or give comments"
    [[ -n "${GITHUB_REPOSITORY:-}" ]] || fail "GITHUB_REPOSITORY is not set: give comments instead"
    dir=${CROSSCHECK_EXPORT_DIR:-${RUNNER_TEMP:?RUNNER_TEMP is not set}/crosscheck-comments}
    mkdir -p -- "$dir"
    for name in review-comments reviews conversation; do
        case "$name" in
            review-comments) endpoint="pulls/$number/comments" ;;
            reviews) endpoint="pulls/$number/reviews" ;;
            conversation) endpoint="issues/$number/comments" ;;
        esac
        if ! gh api --paginate "repos/$GITHUB_REPOSITORY/$endpoint?per_page=100" >"$dir/$name.json"; then
            fail "could not export the $name of pull request #$number with gh api (is GH_TOKEN set?)"
        fi
        comment_files+=("$dir/$name.json")
    done
}

# The files the given paths and globs name, in order, each glob's matches sorted.
find_comments() {
    local patterns pattern matches
    read -r -d '' -a patterns <<<"$1" || true
    for pattern in "${patterns[@]}"; do
        if [[ -e "$pattern" ]]; then
            matches=("$pattern")
        else
            mapfile -t matches < <(compgen -G "$pattern" | LC_ALL=C sort)
        fi
        ((${#matches[@]})) || fail "comments: no file matches '$pattern'"
        comment_files+=("${matches[@]}")
    done
}

code=${CROSSCHECK_PATH:-.}
scope=${CROSSCHECK_SCOPE:-line}
bin=${CROSSCHECK_BIN:-crosscheck}
out_dir=${CROSSCHECK_OUTPUT_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/crosscheck}
annotations=true summary=true
is_true annotations "${CROSSCHECK_ANNOTATIONS:-true}" || annotations=false
is_true job-summary "${CROSSCHECK_JOB_SUMMARY:-true}" || summary=false

base=${CROSSCHECK_BASE:-}
[[ -n "$base" ]] || base=$(event_field pull_request base sha)
[[ -n "$base" ]] || fail "no base revision: run on pull_request or pull_request_review, or give base"
tree=$code
[[ -d "$tree" ]] || tree=$(dirname -- "$code")
if ! git -C "$tree" rev-parse --quiet --verify "$base^{commit}" >/dev/null \
    && [[ "$(git -C "$tree" rev-parse --is-shallow-repository 2>/dev/null)" == true ]]; then
    fail "the checkout is shallow and lacks the base $base: check out with fetch-depth: 0"
fi

comment_files=()
shopt -s globstar
if [[ -n "${CROSSCHECK_COMMENTS//[[:space:]]/}" ]]; then
    find_comments "$CROSSCHECK_COMMENTS"
else
    export_comments
fi

gates=()
read -r -d '' -a gates <<<"${CROSSCHECK_FAIL_ON:-}" || true

mkdir -p -- "$out_dir"
sarif="$out_dir/crosscheck.sarif"
report="$out_dir/crosscheck.json"
summary_md="$out_dir/summary.md"
rm -f -- "$sarif" "$report" "$summary_md"

args=(check "--base=$base" "--scope=$scope")
for gate in "${gates[@]}"; do
    args+=("--fail-on=$gate")
done
args+=("--format=sarif" "--output=$sarif" "--format=json" "--output=$report")
if [[ $summary == true ]]; then
    args+=("--format=pr-summary" "--output=$summary_md")
fi
if [[ $annotations == true ]]; then
    args+=("--format=github")  # the one format without --output: to stdout, where the runner reads it
fi
args+=(-- "$code" "${comment_files[@]}")

status=0
"$bin" "${args[@]}" || status=$?

if [[ -n "${GITHUB_STEP_SUMMARY:-}" && $summary == true ]]; then
    if [[ -s "$summary_md" ]]; then
        cat -- "$summary_md" >>"$GITHUB_STEP_SUMMARY"
    elif ((status >= 2)); then
        printf '### crosscheck\n\ncrosscheck could not check this pull request (exit %s): see the log.\n' \
            "$status" >>"$GITHUB_STEP_SUMMARY"
    fi
fi
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    if [[ -f "$sarif" ]]; then
        printf 'sarif=%s\n' "$sarif" >>"$GITHUB_OUTPUT"
    fi
    if [[ -f "$report" ]]; then
        printf 'report=%s\n' "$report" >>"$GITHUB_OUTPUT"
    fi
    printf 'exit-code=%s\n' "$status" >>"$GITHUB_OUTPUT"
fi
exit "$status"
