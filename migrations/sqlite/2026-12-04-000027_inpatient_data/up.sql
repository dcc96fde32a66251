-- The inpatient items of the Assuring Transformation return, on the admission: provider,
-- hospital and the hospital's ICB (ODS codes), ward type, the legal status as a code (beside
-- the free-text legal_status, unchanged), the reason for admission, advocacy, long-term
-- segregation, and when the person was clinically ready for discharge with what delays it
-- (a JSON list of codes). Each may be unknown.
ALTER TABLE admissions ADD COLUMN provider_ods TEXT NULL;
ALTER TABLE admissions ADD COLUMN hospital_ods TEXT NULL;
ALTER TABLE admissions ADD COLUMN hospital_icb TEXT NULL;
ALTER TABLE admissions ADD COLUMN ward_type TEXT NULL
    CHECK (ward_type IN ('assessment_treatment','rehabilitation','low_secure','medium_secure',
                         'high_secure','camhs_general','camhs_secure','other'));
ALTER TABLE admissions ADD COLUMN legal_status_code TEXT NULL
    CHECK (legal_status_code IN ('informal','s2','s3','s35','s36','s37','s37_41','s38','s45a',
                                 's47_49','s48_49','cto_recall','s135_136','other'));
ALTER TABLE admissions ADD COLUMN admission_reason TEXT NULL
    CHECK (admission_reason IN ('mental_health_deterioration','behaviour_that_challenges',
                                'risk_to_self','risk_to_others','forensic','placement_breakdown',
                                'assessment','other'));
ALTER TABLE admissions ADD COLUMN advocacy TEXT NULL
    CHECK (advocacy IN ('imha','imca','non_instructed','family','none'));
ALTER TABLE admissions ADD COLUMN lts_started_on DATE NULL;
ALTER TABLE admissions ADD COLUMN lts_ended_on DATE NULL;
ALTER TABLE admissions ADD COLUMN clinically_ready_on DATE NULL;
ALTER TABLE admissions ADD COLUMN delay_reasons TEXT NOT NULL DEFAULT '[]';
