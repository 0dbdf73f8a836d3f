from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo.seed import seed_demo


class Command(BaseCommand):
    help = "Load the demo agency, brands, users and agreements (safe to run again)."

    def handle(self, *args, **options):
        # Demo data e-mails nobody: its addresses are made up (example.com).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            result = seed_demo()
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Created: {', '.join(result.created)}"))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write("Demo logins (username / password / role):")
        for username, password, role in result.logins:
            self.stdout.write(f"  {username:<14} {password:<16} {role}")
