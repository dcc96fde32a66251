//! One schema for both backends: only types both share (UUIDs as Text, instants as Timestamp
//! in UTC, JSON as Text).

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        email -> Text,
        display_name -> Text,
        role -> Text,
        manager_id -> Nullable<Text>,
        password_hash -> Text,
        active -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        token_generation -> Integer,
        must_change_password -> Bool,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        session_started_at -> Timestamp,
        kind -> Text,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Text,
        username -> Text,
        client_addr -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    audit_subjects (person_id, subject_set) {
        person_id -> Text,
        subject_set -> Text,
    }
}

diesel::table! {
    audit_seals (seq) {
        seq -> BigInt,
        sealed_at -> Timestamp,
        first_at -> Timestamp,
        first_id -> Text,
        last_at -> Timestamp,
        last_id -> Text,
        row_ids -> Text,
        mac -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        outcome -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        changed_fields -> Text,
        subject_set -> Nullable<Text>,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    login_failures,
    audit_log,
    audit_subjects,
    audit_seals
);

diesel::table! {
    change_counters (name) {
        name -> Text,
        generation -> BigInt,
    }
}

diesel::table! {
    people (id) {
        id -> Text,
        nhs_number -> Nullable<Text>,
        given_name -> Text,
        family_name -> Text,
        search_name -> Text,
        date_of_birth -> Date,
        gender -> Nullable<Text>,
        diagnoses -> Text,
        area -> Text,
        local_authority -> Nullable<Text>,
        gp_practice -> Nullable<Text>,
        consent_status -> Text,
        consent_note -> Nullable<Text>,
        keyworker_id -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        ethnic_category -> Nullable<Text>,
        conditions -> Text,
        communication_needs -> Nullable<Text>,
        reasonable_adjustments -> Nullable<Text>,
        looked_after -> Bool,
        postcode_district -> Nullable<Text>,
        responsible_icb -> Nullable<Text>,
        at_objection -> Bool,
        merged_into -> Nullable<Text>,
        merged_at -> Nullable<Timestamp>,
        merge_reason -> Nullable<Text>,
        nhs_number_status -> Text,
        nhs_number_pending_since -> Nullable<Date>,
        cyp_keyworker_id -> Nullable<Text>,
    }
}

diesel::table! {
    keyworking_episodes (id) {
        id -> Text,
        person_id -> Text,
        status -> Text,
        referred_on -> Date,
        status_on -> Date,
        keyworker_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        note -> Nullable<Text>,
        recorded_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    keyworking_changes (id) {
        id -> Text,
        episode_id -> Text,
        status -> Text,
        changed_on -> Date,
        keyworker_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        changed_by -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    sequences (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        reference_number -> BigInt,
        reference -> Text,
        status -> Text,
        person_id -> Nullable<Text>,
        person_details -> Nullable<Text>,
        area -> Text,
        referrer_name -> Text,
        referrer_organisation -> Nullable<Text>,
        referrer_contact -> Nullable<Text>,
        reason -> Text,
        received_on -> Date,
        first_contact_on -> Nullable<Date>,
        screened_on -> Nullable<Date>,
        decided_on -> Nullable<Date>,
        decision_reason -> Nullable<Text>,
        referrer_told_on -> Nullable<Date>,
        register_entry_id -> Nullable<Text>,
        version -> Integer,
        recorded_by -> Text,
        decided_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    register_entries (id) {
        id -> Text,
        reference -> Text,
        reference_number -> BigInt,
        person_id -> Text,
        status -> Text,
        rag -> Text,
        rag_rank -> Integer,
        rag_changed_on -> Date,
        opened_on -> Date,
        closed_on -> Nullable<Date>,
        closure_reason -> Nullable<Text>,
        closure_note -> Nullable<Text>,
        risk_summary -> Text,
        referral_source -> Nullable<Text>,
        consent_note -> Nullable<Text>,
        last_review_on -> Nullable<Date>,
        next_review_due -> Date,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        next_cetr_due -> Nullable<Date>,
        discharge_points_complete -> Nullable<Integer>,
        open_alerts -> Integer,
        what_has_been_tried -> Nullable<Text>,
        what_would_help -> Nullable<Text>,
    }
}

diesel::table! {
    risk_factors (id) {
        id -> Text,
        register_entry_id -> Text,
        code -> Text,
        noted_on -> Date,
        note -> Nullable<Text>,
        ended_on -> Nullable<Date>,
        version -> Integer,
        recorded_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rag_history (id) {
        id -> Text,
        register_entry_id -> Text,
        from_rag -> Nullable<Text>,
        to_rag -> Text,
        reason -> Text,
        changed_by -> Nullable<Text>,
        changed_at -> Timestamp,
        changed_on -> Date,
    }
}

diesel::table! {
    dsr_reviews (id) {
        id -> Text,
        register_entry_id -> Text,
        reviewed_on -> Date,
        rag -> Text,
        attendees -> Text,
        summary -> Text,
        next_review_due -> Date,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    keyworker_assignments (id) {
        id -> Text,
        person_id -> Text,
        user_id -> Text,
        from_on -> Date,
        to_on -> Nullable<Date>,
        note -> Nullable<Text>,
        assigned_by -> Text,
        ended_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        person_id -> Text,
        occurred_at -> Timestamp,
        kind -> Text,
        summary -> Text,
        with_whom -> Nullable<Text>,
        corrects_id -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    transition_plans (person_id) {
        person_id -> Text,
        adult_team -> Text,
        education_status -> Text,
        planned_handover_on -> Date,
        notes -> Nullable<Text>,
        version -> Integer,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    involvements (id) {
        id -> Text,
        person_id -> Text,
        name -> Text,
        organisation -> Text,
        role -> Text,
        contact -> Nullable<Text>,
        from_on -> Date,
        to_on -> Nullable<Date>,
        version -> Integer,
        recorded_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    admissions (id) {
        id -> Text,
        person_id -> Text,
        register_entry_id -> Nullable<Text>,
        admitted_on -> Date,
        hospital -> Text,
        setting -> Text,
        legal_status -> Nullable<Text>,
        discharged_on -> Nullable<Date>,
        discharge_destination -> Nullable<Text>,
        next_cetr_due -> Nullable<Date>,
        next_visit_due -> Nullable<Date>,
        recorded_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        provider_ods -> Nullable<Text>,
        hospital_ods -> Nullable<Text>,
        hospital_icb -> Nullable<Text>,
        ward_type -> Nullable<Text>,
        legal_status_code -> Nullable<Text>,
        admission_reason -> Nullable<Text>,
        advocacy -> Nullable<Text>,
        lts_started_on -> Nullable<Date>,
        lts_ended_on -> Nullable<Date>,
        clinically_ready_on -> Nullable<Date>,
        delay_reasons -> Text,
    }
}

diesel::table! {
    oversight_visits (id) {
        id -> Text,
        admission_id -> Text,
        visited_on -> Date,
        visitor -> Text,
        notes -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
        concerns -> Nullable<Text>,
    }
}

diesel::table! {
    cetrs (id) {
        id -> Text,
        person_id -> Text,
        admission_id -> Nullable<Text>,
        kind -> Text,
        held_on -> Date,
        panel -> Text,
        summary -> Text,
        outcome -> Nullable<Text>,
        next_due -> Nullable<Date>,
        recorded_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        agencies -> Text,
        laep_outcome -> Nullable<Text>,
    }
}

diesel::table! {
    cetr_actions (id) {
        id -> Text,
        cetr_id -> Nullable<Text>,
        person_id -> Text,
        description -> Text,
        owner_id -> Nullable<Text>,
        due_on -> Date,
        status -> Text,
        completed_on -> Nullable<Date>,
        completion_note -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        source -> Text,
        source_id -> Text,
        justification -> Nullable<Text>,
    }
}

diesel::table! {
    discharge_plans (id) {
        id -> Text,
        admission_id -> Text,
        person_id -> Text,
        planned_discharge_date -> Nullable<Date>,
        review_cycle_days -> Integer,
        last_review_on -> Nullable<Date>,
        next_review_due -> Date,
        complete_count -> Integer,
        closed_count -> Integer,
        frozen_on -> Nullable<Date>,
        created_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    discharge_points (id) {
        id -> Text,
        plan_id -> Text,
        number -> Integer,
        title -> Text,
        status -> Text,
        owner_id -> Nullable<Text>,
        target_date -> Nullable<Date>,
        notes -> Nullable<Text>,
        completed_on -> Nullable<Date>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    discharge_plan_reviews (id) {
        id -> Text,
        plan_id -> Text,
        reviewed_on -> Date,
        summary -> Text,
        next_review_due -> Date,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    alerts (id) {
        id -> Text,
        kind -> Text,
        subject_type -> Text,
        subject_id -> Text,
        person_id -> Nullable<Text>,
        register_entry_id -> Nullable<Text>,
        due_on -> Date,
        days_overdue -> Integer,
        level -> Integer,
        status -> Text,
        assignee_id -> Nullable<Text>,
        raised_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        acknowledge_note -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        alert_id -> Text,
        level -> Integer,
        recipient_email -> Text,
        recipient_user_id -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        message_id -> Nullable<Text>,
        claim_token -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Nullable<Text>,
        expires_at -> Timestamp,
        last_success_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(register_entries -> people (person_id));
diesel::joinable!(transition_plans -> people (person_id));
diesel::joinable!(notifications -> alerts (alert_id));
diesel::joinable!(discharge_points -> discharge_plans (plan_id));
diesel::joinable!(alerts -> people (person_id));
diesel::joinable!(admissions -> people (person_id));
diesel::joinable!(cetr_actions -> people (person_id));
diesel::joinable!(rag_history -> register_entries (register_entry_id));
diesel::joinable!(risk_factors -> register_entries (register_entry_id));
diesel::joinable!(dsr_reviews -> register_entries (register_entry_id));
diesel::joinable!(keyworking_episodes -> people (person_id));
diesel::joinable!(keyworking_changes -> keyworking_episodes (episode_id));
diesel::allow_tables_to_appear_in_same_query!(
    people,
    keyworking_episodes,
    keyworking_changes,
    referrals,
    register_entries,
    rag_history,
    risk_factors,
    dsr_reviews,
    sequences,
    users,
    keyworker_assignments,
    contacts,
    admissions,
    oversight_visits,
    cetrs,
    cetr_actions,
    discharge_plans,
    discharge_points,
    discharge_plan_reviews,
    alerts,
    notifications,
    job_leases,
    involvements,
    transition_plans,
);
