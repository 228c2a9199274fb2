"""Create a self-signed demo key and certificate for signing dossiers (``make run`` does this once)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from reports.signing import make_demo_pair


class Command(BaseCommand):
    help = "Write a self-signed demo dossier signing key and certificate into DIR (kept when they exist)."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Folder for the pair, e.g. .local/dossier-signing (not committed).")

    def handle(self, *args, directory, **options):
        folder = Path(directory)
        key, cert = folder / "dossier-signing-key.pem", folder / "dossier-signing-cert.pem"
        if key.exists() and cert.exists():
            self.stdout.write(f"Demo dossier signing pair already in {folder}.")
            return
        key, cert = make_demo_pair(folder)
        self.stdout.write(f"Demo dossier signing pair written: {key} and {cert}. For demonstrations only.")
