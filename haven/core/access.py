"""Who may open each route: the one declared table, enforced by AccessTableMiddleware (pages)
and by the API's authentication (JSON). A route missing here is refused — and fails the suite."""

from __future__ import annotations

from haven.core.models import Role

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any colleague
CLOSED = "closed"  # allauth routes Haven does not offer (open sign-up, extra e-mail addresses)

Rule = str | frozenset[str]

ADMINISTRATORS: frozenset[str] = frozenset({Role.ADMINISTRATOR})
COORDINATORS: frozenset[str] = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})
SUPPORTERS: frozenset[str] = frozenset({Role.SUPPORTER})
CASE_HANDLERS: frozenset[str] = frozenset({Role.CASE_HANDLER})

ROUTES: dict[str, Rule] = {
    # Haven's own pages
    "home": SIGNED_IN,
    "home_test_email": ADMINISTRATORS,  # POST: a test e-mail to the administrator themselves
    "livez": PUBLIC,
    "healthz": PUBLIC,
    "metrics": PUBLIC,  # Prometheus: the view itself demands HAVEN_METRICS_TOKEN (404 unset)
    "profile": SIGNED_IN,
    "email_settings": SIGNED_IN,
    # Optional e-mails' unsubscribe links work without signing in: a signed token naming the
    # person and the kind of e-mail is the key (haven.core.email_kinds).
    "email_unsubscribe": PUBLIC,
    "email_unsubscribe_one_click": PUBLIC,
    "tokens": SIGNED_IN,
    "token_revoke": SIGNED_IN,
    "accept_invitation": PUBLIC,
    "people_search": SIGNED_IN,  # the people picker; capped, rate-limited, never logged
    "directory": COORDINATORS,
    "person_detail": COORDINATORS,
    "person_roles": ADMINISTRATORS,
    "person_invite": ADMINISTRATORS,
    "person_active": ADMINISTRATORS,  # deactivate (after a confirmation page) or reactivate
    "invite_all": ADMINISTRATORS,
    "import_people": ADMINISTRATORS,
    "audit_log": ADMINISTRATORS,
    # Peer support. Conversations are further limited to their two participants (selectors).
    "support_home": SIGNED_IN,
    "new_request": SIGNED_IN,
    "conversation": SIGNED_IN,
    "conversation_send": SIGNED_IN,
    "conversation_close": SIGNED_IN,
    "conversation_feedback": SIGNED_IN,
    "conversation_erase": SIGNED_IN,
    "conversation_access": SIGNED_IN,  # further limited to the conversation's colleague
    "conversation_handover": SUPPORTERS,
    "conversation_consent_handover": SIGNED_IN,
    "conversation_escalate": SUPPORTERS,
    "commitment_add": SUPPORTERS,
    "commitment_settle": SUPPORTERS,
    "supporter_home": SUPPORTERS,
    "supporter_profile": SUPPORTERS,
    "offer_answer": SUPPORTERS,
    "programme": COORDINATORS,
    "supporter_approve": COORDINATORS,
    "programme_settings": ADMINISTRATORS,
    # Empathy coach. The conversation coach is further limited to the conversation's supporter.
    "coach_feedback": SUPPORTERS,
    "conversation_coach": SUPPORTERS,
    "coach_try": SUPPORTERS,
    "coach_practice": SUPPORTERS,
    "coach_scenario": SUPPORTERS,
    "coach_scenario_finish": SUPPORTERS,
    "coach_progress": COORDINATORS,
    "coach_certify": COORDINATORS,
    # Coffee pairings. A group's pages are further limited to its members (selectors).
    "coffee_home": SIGNED_IN,
    "coffee_settings": SIGNED_IN,
    "coffee_blocks": SIGNED_IN,
    "coffee_unblock": SIGNED_IN,
    "coffee_invitation": SIGNED_IN,
    "coffee_met": SIGNED_IN,
    "coffee_rounds": COORDINATORS,
    "coffee_round_settings": ADMINISTRATORS,
    # Activities: every colleague; proposing one is further limited to coordinators unless the
    # administrators' activity settings allow every colleague (activities.may_propose).
    "activities": SIGNED_IN,
    "activity_new": SIGNED_IN,
    "activity_settings": ADMINISTRATORS,
    "activity_detail": SIGNED_IN,
    "activity_rsvp": SIGNED_IN,
    "activity_cancel": SIGNED_IN,
    # Changing and calling off: further limited to the organiser, coordinators and
    # administrators (haven.activities.services.may_manage); 403 for anyone else.
    "activity_edit": SIGNED_IN,
    "activity_call_off": SIGNED_IN,
    "activity_invitation": SIGNED_IN,
    "activity_feedback": SIGNED_IN,
    # Open questions: colleagues ask and vote; coordinators and administrators moderate and
    # answer (the "leaders" who answer in public).
    "questions": SIGNED_IN,
    "question_ask": SIGNED_IN,
    "questions_mine": SIGNED_IN,
    "question_vote": SIGNED_IN,
    "questions_moderation": COORDINATORS,
    "question_moderate": COORDINATORS,
    "question_answer": COORDINATORS,
    # Recognition. Each recognition is further limited to its audience (selectors).
    "recognition_feed": SIGNED_IN,
    "recognition_give": SIGNED_IN,
    "recognition_react": SIGNED_IN,
    "recognition_detail": SIGNED_IN,
    "recognition_comment": SIGNED_IN,
    "recognition_comment_delete": SIGNED_IN,  # further limited to the comment's author
    "recognition_comment_moderate": COORDINATORS,
    "recognition_settings": SIGNED_IN,
    "recognition_moderation": COORDINATORS,
    "recognition_moderate": COORDINATORS,
    "recognition_insight": COORDINATORS,
    "recognition_values": ADMINISTRATORS,
    "recognition_value_active": ADMINISTRATORS,
    # Attributes people choose to share: one's own answers only (the views read the signed-in
    # person's, never an id); administrators define the questions and never see answers.
    "my_shared_attributes": SIGNED_IN,
    "my_shared_attributes_withdraw": SIGNED_IN,
    "shared_attributes": ADMINISTRATORS,
    "shared_attribute_edit": ADMINISTRATORS,
    "shared_attribute_active": ADMINISTRATORS,
    # Speak-up: journal. Every colleague keeps their own; the selectors find only the signed-in
    # author's journal, so anyone else (administrators, coordinators, case handlers included)
    # gets 404. The verify page is public: an HR person without an account checks an export.
    "journal": SIGNED_IN,
    "journal_new": SIGNED_IN,
    "journal_entry": SIGNED_IN,
    "journal_entry_edit": SIGNED_IN,
    "journal_entry_delete": SIGNED_IN,
    "journal_attachment": SIGNED_IN,
    "journal_export_pdf": SIGNED_IN,
    "journal_export_json": SIGNED_IN,
    "journal_delete": SIGNED_IN,
    "journal_verify": PUBLIC,
    # Speak-up: reports and cases. A colleague's reports are found by their keyed reporter tag
    # (selectors); the receipt page is public because an anonymous reporter returns without
    # signing in: the code is the key (throttled, docs/speakup-reports.md). Cases are further
    # limited to the case handlers a report was sealed to (never the person named): 404.
    "speakup_reports": SIGNED_IN,
    "speakup_report_new": SIGNED_IN,
    "speakup_report_withdraw": SIGNED_IN,
    "speakup_receipt": PUBLIC,
    "speakup_receipt_reply": PUBLIC,
    "speakup_receipt_edit": PUBLIC,
    "case_inbox": CASE_HANDLERS,
    "case_keys": CASE_HANDLERS,
    "case_keys_passphrase": CASE_HANDLERS,
    "case_keys_recover": CASE_HANDLERS,
    "case_keys_reset": CASE_HANDLERS,
    "case_unlock": CASE_HANDLERS,
    "case_lock": CASE_HANDLERS,
    "case_detail": CASE_HANDLERS,
    "case_state": CASE_HANDLERS,
    "case_note": CASE_HANDLERS,
    "case_message": CASE_HANDLERS,
    "speakup_programme": COORDINATORS,  # k-anonymous counts only
    "speakup_settings": ADMINISTRATORS,
    # django-allauth: signing in and out, passwords, MFA
    "account_login": PUBLIC,
    "account_logout": PUBLIC,  # POST only; signing out when already out is harmless
    "account_inactive": PUBLIC,
    "account_reauthenticate": SIGNED_IN,
    "account_change_password": SIGNED_IN,
    "account_set_password": SIGNED_IN,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "mfa_index": SIGNED_IN,
    "mfa_authenticate": PUBLIC,  # the second step of signing in, before a session exists
    "mfa_reauthenticate": SIGNED_IN,
    "mfa_activate_totp": SIGNED_IN,
    "mfa_deactivate_totp": SIGNED_IN,
    "mfa_view_recovery_codes": SIGNED_IN,
    "mfa_generate_recovery_codes": SIGNED_IN,
    "mfa_download_recovery_codes": SIGNED_IN,
    "account_signup": CLOSED,
    "account_email": CLOSED,
    "account_email_verification_sent": CLOSED,
    "account_confirm_email": CLOSED,
    "account_confirm_login_code": CLOSED,
    # Re-authenticating by a code e-mailed to the person (allauth 65.22): whoever reads the
    # mailbox could then change MFA or the password without knowing it. Haven re-authenticates
    # by password or MFA only (ACCOUNT_REAUTHENTICATION_METHODS), so these stay shut.
    "account_request_reauthentication_code": CLOSED,
    "account_confirm_reauthentication_code": CLOSED,
    # JSON API (/api/v1): enforced by haven.api.auth with the same rules
    "api-1:openapi-json": PUBLIC,
    "api-1:api-root": PUBLIC,
    "api-1:me": SIGNED_IN,
    "api-1:list_people": COORDINATORS,
    "api-1:get_person": COORDINATORS,
    "api-1:person_active": ADMINISTRATORS,  # GET the state, PUT to deactivate or reactivate
    "api-1:list_teams": COORDINATORS,
    "api-1:list_departments": COORDINATORS,
    "api-1:list_locations": COORDINATORS,
    # Peer support: any colleague; conversations further limited to participants (selectors)
    "api-1:support_requests": SIGNED_IN,
    "api-1:support_conversations": SIGNED_IN,
    "api-1:support_conversation": SIGNED_IN,
    "api-1:support_messages": SIGNED_IN,
    "api-1:support_commitments": SIGNED_IN,
    "api-1:support_conversation_commitments": SIGNED_IN,
    "api-1:support_availability": SUPPORTERS,  # a supporter's own weekly availability
    # Activities and open questions: any colleague (haven/api/routers/activities.py)
    "api-1:connect_activities": SIGNED_IN,
    "api-1:connect_activity_signup": SIGNED_IN,
    # Changing and calling off are further limited to the organiser, coordinators and
    # administrators (activities.may_manage); feedback to people who had a place.
    "api-1:connect_activity": SIGNED_IN,
    "api-1:connect_activity_call_off": SIGNED_IN,
    "api-1:connect_activity_feedback": SIGNED_IN,
    "api-1:connect_questions": SIGNED_IN,
    "api-1:connect_question_vote": SIGNED_IN,
    "api-1:connect_question_moderation_queue": COORDINATORS,
    "api-1:connect_question_moderation": COORDINATORS,
    "api-1:connect_question_answer": COORDINATORS,
    # Recognition: any colleague; audiences applied by the selectors
    "api-1:recognitions": SIGNED_IN,
    "api-1:recognition_comments": SIGNED_IN,
    "api-1:recognition_comment": SIGNED_IN,  # DELETE: further limited to the author
    # Speak-up: journal (haven/api/routers/journal.py): the author's own only, 404 to others
    "api-1:journal_entries": SIGNED_IN,
    "api-1:journal_entry": SIGNED_IN,
    "api-1:journal_export": SIGNED_IN,
    # Speak-up: a colleague's own reports (by their reporter tag); cases further limited to the
    # case handlers a report was sealed to, and opened only with a key unlocked in the session
    "api-1:speakup_reports": SIGNED_IN,
    "api-1:speakup_report_open": SIGNED_IN,
    "api-1:speakup_report_messages": SIGNED_IN,
    "api-1:speakup_report_withdraw": SIGNED_IN,
    "api-1:speakup_cases": CASE_HANDLERS,
    "api-1:speakup_case": CASE_HANDLERS,
    "api-1:speakup_case_state": CASE_HANDLERS,
    "api-1:speakup_case_messages": CASE_HANDLERS,
    "api-1:speakup_case_notes": CASE_HANDLERS,
}

# Routes a person with a role that requires MFA may open before setting MFA up.
MFA_SETUP_ROUTES = frozenset({
    "account_logout", "account_reauthenticate", "mfa_index", "mfa_activate_totp",
    "mfa_reauthenticate", "mfa_view_recovery_codes", "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes", "livez", "healthz", "accept_invitation",
})


def rule_for(view_name: str) -> Rule | None:
    return ROUTES.get(view_name)


def allows(rule: Rule, roles: frozenset[str] | None) -> bool:
    """May someone with these roles (None: not signed in) use a route with this rule?"""
    if rule == PUBLIC:
        return True
    if rule == CLOSED or roles is None:
        return False
    if rule == SIGNED_IN:
        return True
    assert isinstance(rule, frozenset)
    return bool(rule & roles)
