#!/usr/bin/env bash
# A first walk through the API: the README's walk, as a script that checks every answer.
#
#   docs/walk.sh [BASE_URL]          (default http://127.0.0.1:8080)
#
# Needs bash, curl and jq, and a running `dsr serve`. The admin password is the one printed
# on first start: pass it as ADMIN_PASSWORD, or leave it in <data dir>/admin_password (where
# `dsr serve` puts it when no terminal is watching; DSR_SERVER__DATA_DIR, default var/).
# It creates every user and record it uses (with names of its own, so it can run again on
# the same database), computes its dates from today, and stops at the first answer that is
# not the one expected, printing it. CI runs it against a fresh server (.ci/walk.sh).
set -euo pipefail

BASE="${1:-http://127.0.0.1:8080}"
API="$BASE/api/v1"
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "walk: this needs $tool; install it first" >&2; exit 2; }
done
DATA_DIR="${DSR_SERVER__DATA_DIR:-var}"
if [ -z "${ADMIN_PASSWORD:-}" ] && [ -r "$DATA_DIR/admin_password" ]; then
  ADMIN_PASSWORD="$(cat "$DATA_DIR/admin_password")"
fi
[ -n "${ADMIN_PASSWORD:-}" ] || {
  echo "walk: set ADMIN_PASSWORD to the password dsr printed on first start" >&2
  exit 2
}

BODY="$(mktemp)"
trap 'rm -f "$BODY"' EXIT
step() { printf '\n== %s\n' "$*"; }

# call METHOD PATH STATUS [JSON] : sends it as $AS (a token; none when empty), prints the
# answer's body, and stops the walk when the status is not STATUS.
AS=""
call() {
  local method="$1" path="$2" want="$3" json="${4:-}"
  local args=(-s -o "$BODY" -w '%{http_code}' -X "$method" "$API$path")
  [ -n "$AS" ] && args+=(-H "authorization: Bearer $AS")
  [ -n "$json" ] && args+=(-H 'content-type: application/json' --data "$json")
  local got
  got="$(curl "${args[@]}")" || { echo "walk: no answer from $BASE (is dsr serve running?)" >&2; exit 1; }
  if [ "$got" != "$want" ]; then
    echo "walk: $method $path answered $got, not $want:" >&2
    cat "$BODY" >&2
    echo >&2
    exit 1
  fi
  cat "$BODY"
}
# field JSON FILTER : one value out of an answer; stops when it is missing.
field() {
  local value
  value="$(jq -er "$2" <<<"$1")" || { echo "walk: the answer has no $2: $1" >&2; exit 1; }
  printf '%s' "$value"
}
# day N : the date N days from today (negative: ago), YYYY-MM-DD.
day() { jq -nr --argjson n "$1" 'now + $n * 86400 | strftime("%Y-%m-%d")'; }
# A valid synthetic NHS number (the 999 range is never issued), different on every run.
nhs_number() {
  local base sum check i
  while :; do
    base="999$(printf '%06d' $(( (RANDOM * 32768 + RANDOM) % 1000000 )))"
    sum=0
    for i in 0 1 2 3 4 5 6 7 8; do sum=$(( sum + ${base:i:1} * (10 - i) )); done
    check=$(( 11 - sum % 11 ))
    [ "$check" -eq 11 ] && check=0
    [ "$check" -ne 10 ] && { echo "$base$check"; return; }
  done
}
RUN="$(date +%s)"
PASSWORD="walk-$RUN-lantern-orbit-river"

step "Sign in as the admin (the refresh token is kept for the next step)"
LOGIN="$(call POST /auth/login 200 "$(jq -nc --arg p "$ADMIN_PASSWORD" '{username:"admin",password:$p}')")"
AS="$(field "$LOGIN" .access_token)"
REFRESH="$(field "$LOGIN" .refresh_token)"
call GET /me 200 | jq -c '{username, role}'

step "Refresh: a new pair of tokens; the old refresh token stops working"
REFRESHED="$(AS='' call POST /auth/refresh 200 "$(jq -nc --arg t "$REFRESH" '{refresh_token:$t}')")"
AS="$(field "$REFRESHED" .access_token)"
AS='' call POST /auth/refresh 401 "$(jq -nc --arg t "$REFRESH" '{refresh_token:$t}')" >/dev/null
# Replaying a used refresh token ends the whole session: sign in again.
call GET /me 401 >/dev/null
LOGIN="$(AS='' call POST /auth/login 200 "$(jq -nc --arg p "$ADMIN_PASSWORD" '{username:"admin",password:$p}')")"
AS="$(field "$LOGIN" .access_token)"
ADMIN_TOKEN="$AS"

step "Create the team: a manager, a coordinator, a keyworker and a clinician"
user() { # user ROLE NAME [MANAGER_ID] : prints the new user's id
  local body
  body="$(jq -nc --arg u "$2-$RUN" --arg r "$1" --arg n "$2" --arg p "$PASSWORD" --arg m "${3:-}" \
    '{username:$u, email:($u + "@nhs.net"), display_name:$n, role:$r, password:$p}
     + (if $m == "" then {} else {manager_id:$m} end)')"
  field "$(call POST /users 201 "$body")" .id
}
MANAGER="$(user manager mo)"
COORDINATOR="$(user coordinator cora "$MANAGER")"
KEYWORKER="$(user keyworker kit "$MANAGER")"
CLINICIAN="$(user clinician cleo "$MANAGER")"
echo "manager $MANAGER, coordinator $COORDINATOR, keyworker $KEYWORKER, clinician $CLINICIAN"
sign_in() { field "$(AS='' call POST /auth/login 200 "$(jq -nc --arg u "$1-$RUN" --arg p "$PASSWORD" '{username:$u,password:$p}')")" .access_token; }
COORD_TOKEN="$(sign_in cora)"
KW_TOKEN="$(sign_in kit)"
AS="$COORD_TOKEN"

step "Add a person (autism diagnosed, a learning disability suspected) and put them on the register as amber"
NHS="$(nhs_number)"
# A run of the walk on a database where it ran before meets its own Sam Taylor: a look-alike
# (same date of birth, same name) is refused unless confirmed as someone else.
PERSON="$(field "$(call POST /people 201 "$(jq -nc --arg n "$NHS" --arg dob "$(day -6000)" \
  '{nhs_number:$n, given_name:"Sam", family_name:"Taylor", date_of_birth:$dob,
    conditions:[{condition:"autism", status:"diagnosed"}, {condition:"learning_disability", status:"suspected"}],
    ethnic_category:"A", communication_needs:"Short sentences; time to answer",
    area:"North", consent_status:"parental", confirm_not_duplicate:true}')")" .id)"
ENTRY="$(field "$(call POST /register 201 "$(jq -nc --arg p "$PERSON" \
  '{person_id:$p, rag:"amber", risk_summary:"Placement under strain"}')")" .id)"
echo "person $PERSON (NHS number $NHS), register entry $ENTRY"

step "A DSR review moves them to red (the next review is due in 7 days) and agrees an action"
REVIEW="$(field "$(call POST "/register/$ENTRY/reviews" 201 "$(jq -nc --arg d "$(day 0)" \
  '{reviewed_on:$d, rag:"red", attendees:["TCP coordinator","Parent","CAMHS"], summary:"Crisis at home"}')")" .id)"
call POST "/register/$ENTRY/reviews/$REVIEW/actions" 201 "$(jq -nc --arg o "$COORDINATOR" --arg d "$(day 3)" \
  '{description:"Ask the provider for a support review", owner_id:$o, due_on:$d}')" | jq -c '{source, due_on, status}'
call GET "/actions?owner_id=$COORDINATOR&source=dsr_review" 200 | jq -c '{total}'
call GET "/register/$ENTRY/history" 200 | jq -c '[.[] | {from, to, reason}]'
call GET "/register?rag=red&area=north&sort=next_review_due" 200 | jq -c '{total, first: .items[0].reference}'

step "Why they are at risk: coded reasons, what has been tried, what would help"
call POST "/register/$ENTRY/risk-factors" 201 "$(jq -nc --arg d "$(day 0)" \
  '{code:"placement_breakdown", noted_on:$d, note:"Provider has given notice"}')" | jq -c '{code, current, label: .label}'
call PATCH "/register/$ENTRY" 200 '{"what_has_been_tried":"Positive behaviour support plan","what_would_help":"A stable provider"}' |
  jq -c '{risk_factors, what_would_help}'
call GET "/register?risk_factor=placement_breakdown&area=north" 200 | jq -c '{total}'
call POST "/people/$PERSON/cetrs" 201 "$(jq -nc --arg d "$(day 0)" \
  '{kind:"laep", held_on:$d, panel:[], summary:"Crisis at home", agencies:["Community LD team","Social care"], laep_outcome:"admission_avoided"}')" |
  jq -c '{kind, agencies, laep_outcome}'

step "Name the keyworker; Sam is now on their caseload"
call PUT "/people/$PERSON/keyworker" 200 "$(jq -nc --arg u "$KEYWORKER" '{user_id:$u}')" | jq -c '{user: .user.username, from}'
call GET "/users/$KEYWORKER/caseload" 200 | jq -c '{total}'

step "Sam is 16 and red: referred to the CYP keyworking service, accepted and allocated"
EPISODE="$(field "$(call POST "/people/$PERSON/keyworking" 201 "$(jq -nc --arg d "$(day 0)" \
  '{referred_on:$d, note:"Agreed at the DSR meeting"}')")" .id)"
call PATCH "/keyworking/$EPISODE" 200 "$(jq -nc --arg d "$(day 0)" '{status:"accepted", on:$d}')" |
  jq -c '{status}'
call PATCH "/keyworking/$EPISODE" 200 "$(jq -nc --arg k "$KEYWORKER" --arg d "$(day 0)" \
  '{status:"allocated", keyworker_id:$k, on:$d}')" |
  jq -c '{status, cyp_keyworker: .keyworker.username, history: [.history[].status]}'

step "The keyworker records a professional involved: Sam's social worker"
AS="$KW_TOKEN" call POST "/people/$PERSON/involvements" 201 "$(jq -nc --arg d "$(day -200)" \
  '{name:"Jo Smith", organisation:"County Council", role:"social_worker", contact:"01632 960001", from_on:$d}')" |
  jq -c '{name, role, current}'

step "The keyworker logs a contact (never edited: a correction is a new contact)"
AS="$KW_TOKEN" call POST "/people/$PERSON/contacts" 201 "$(jq -nc --arg t "$(date -u +%FT%TZ)" \
  '{occurred_at:$t, kind:"phone", summary:"Checked in"}')" | jq -c '{kind, occurred_at}'

step "Sam is admitted: the entry turns blue; a post-admission C(E)TR and its action"
ADMISSION="$(field "$(call POST "/people/$PERSON/admissions" 201 "$(jq -nc --arg d "$(day -10)" \
  '{admitted_on:$d, hospital:"Riverside", setting:"non_secure"}')")" .id)"
CETR="$(field "$(call POST "/people/$PERSON/cetrs" 201 "$(jq -nc --arg d "$(day -6)" \
  '{kind:"post_admission", held_on:$d, summary:"Agreed a discharge goal",
    panel:[{name:"A Chair",role:"chair"},{name:"B Expert",role:"clinical_expert"},
           {name:"C Person",role:"expert_by_experience"}]}')")" .id)"
call POST "/cetrs/$CETR/actions" 201 "$(jq -nc --arg o "$CLINICIAN" --arg d "$(day 7)" \
  '{description:"Medication review", owner_id:$o, due_on:$d}')" | jq -c '{description, due_on, status}'
call GET "/cetr-actions?owner_id=$CLINICIAN" 200 | jq -c '{total}'

step "A 12-point discharge plan, made while Sam is in hospital"
PLAN="$(field "$(call POST "/admissions/$ADMISSION/discharge-plan" 201 '{}')" .id)"
call PATCH "/discharge-plans/$PLAN/points/3" 200 "$(jq -nc --arg o "$KEYWORKER" --arg d "$(day 14)" \
  '{owner_id:$o, target_date:$d, status:"in_progress"}')" |
  jq -c '(.points // [.])[] | select(.number == 3) | {number, status, target_date}'
call POST "/discharge-plans/$PLAN/reviews" 201 "$(jq -nc --arg d "$(day 0)" '{reviewed_on:$d, summary:"On track"}')" |
  jq -c '{reviewed_on}'

step "Discharge to the community: the entry is red again and the plan is frozen"
call PATCH "/admissions/$ADMISSION" 200 "$(jq -nc --arg d "$(day 0)" \
  '{discharged_on:$d, discharge_destination:"community"}')" | jq -c '{discharged_on, discharge_destination}'
call GET "/register/$ENTRY" 200 | jq -c '{reference, rag, next_review_due}'

step "The keyworker refers Alex (not recorded yet); the coordinator contacts, then accepts"
REFERRAL="$(AS="$KW_TOKEN" call POST /referrals 201 "$(jq -nc --arg n "$(nhs_number)" --arg dob "$(day -7000)" --arg d "$(day -1)" \
  '{person:{nhs_number:$n, given_name:"Alex", family_name:"Morgan-'"$RUN"'", date_of_birth:$dob,
            conditions:[{condition:"autism", status:"awaiting_assessment"}], area:"North",
            consent_status:"given"},
    referrer_name:"Kit", referrer_organisation:"Community LD team",
    reason:"Family placement breaking down", received_on:$d}')")"
echo "$REFERRAL" | jq -c '{reference, status, contact_due_on, decision_due_on}'
REFERRAL="$(field "$REFERRAL" .id)"
call PATCH "/referrals/$REFERRAL" 200 "$(jq -nc --arg d "$(day 0)" '{first_contact_on:$d}')" | jq -c '{first_contact_on}'
call PATCH "/referrals/$REFERRAL" 200 '{"status":"accepted"}' | jq -c '{status, person_id, register_entry_id}'
call GET "/referrals?status=received,screened" 200 | jq -c '{waiting: .total}'

step "Overdue work: what a sweep would do, then the alerts and the outbox"
call POST /escalations/run 200 '{"dry_run":true}' | jq -c '{raised, resolved}'
call GET "/alerts?limit=5" 200 | jq -c '{total}'
call GET "/notifications?limit=5" 200 | jq -c '{total}'

step "Reports: today's summary, the monthly series and the people behind a figure, the inpatient return, the register as CSV"
call GET /reports/summary 200 | jq -c '{register, inpatients, laeps_12_months, placement_breakdown: .risk_factors.placement_breakdown}'
call GET "/reports/monthly?from=$(day 0 | cut -c1-7)" 200 | jq -c '.months[0] | {month, as_of, register_total, inpatients, admissions}'
call GET "/reports/people?measure=register_total" 200 | jq -c '{total, people: [.items[].person_name]}'
call GET "/exports/assuring-transformation" 200 | sed -n 1p | cut -c1-80
call GET "/register/export.csv?rag=red" 200 | sed -n 1,2p

step "The admin signs out: the session ends, and its access token with it"
AS="$ADMIN_TOKEN" call POST /auth/logout 204 "$(jq -nc --arg t "$(field "$LOGIN" .refresh_token)" '{refresh_token:$t}')" >/dev/null
AS="$ADMIN_TOKEN" call GET /me 401 >/dev/null
echo
echo "walk: every step answered as expected"
