from django.core.management.base import BaseCommand

from assessments.demo import seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo team, users and assessments. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo", help="Password for every demo user (default: demo).")

    def handle(self, *args, password, **options):
        seed_demo(password=password, stdout=self.stdout)
