from django.apps import AppConfig


class SpeakupConfig(AppConfig):
    name = "haven.speakup"
    label = "speakup"
    verbose_name = "Speak-up"

    def ready(self) -> None:
        from haven.core.audit_actions import register_audit_actions
        from haven.speakup.models import JournalAudit, ReportAudit

        register_audit_actions(JournalAudit)
        register_audit_actions(ReportAudit)

        import haven.speakup.reports.jobs  # noqa: F401 (registers its @periodic jobs)
