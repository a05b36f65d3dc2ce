from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from tqdm import tqdm

from haven.vault import crypto
from haven.vault.masterkeys import generate_master_key
from haven.vault.models import DataKey


class Command(BaseCommand):
    help = ("Master keys: `haven keys generate ID` prints a new key; `haven keys status` shows "
            "which master key wraps how many data keys; `haven keys rotate` rewraps every data "
            "key under the current (first) master key.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="print a new id:base64key")
        generate.add_argument("key_id")
        sub.add_parser("status", help="data keys per master key")
        sub.add_parser("rotate", help="rewrap data keys under the current master key")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "generate":
            self.stdout.write(generate_master_key(options["key_id"]))
            return
        if action == "status":
            current = crypto.master_keys().current_id
            rows = (DataKey.objects.filter(wrapped__isnull=False).values("master_key_id")
                    .annotate(n=Count("id")).order_by("master_key_id"))
            for row in rows:
                mark = " (current)" if row["master_key_id"] == current else ""
                self.stdout.write(f"{row['master_key_id']}{mark}: {row['n']} data keys")
            shredded = DataKey.objects.filter(wrapped__isnull=True).count()
            self.stdout.write(f"shredded: {shredded} data keys")
            return
        bar = tqdm(total=0, unit="key", desc="Rewrapping", disable=None)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        moved = crypto.rotate(progress=progress)
        bar.close()
        self.stdout.write(self.style.SUCCESS(
            f"{moved} data keys now wrapped by master key {crypto.master_keys().current_id}."))
