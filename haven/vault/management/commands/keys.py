from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from haven.vault import holders, selectors, services
from haven.vault.masterkeys import generate_master_key, master_keys


class Command(BaseCommand):
    help = ("Master keys: `haven keys generate ID` prints a new key; `haven keys status` shows "
            "what depends on each master key and which processes hold which keys; `haven keys "
            "rotate` rewraps every data key under the current (first) master key; `haven keys "
            "retire ID` stops anything new being wrapped under a key nothing depends on any "
            "more (docs/operations.md, \"Rotating master keys\").")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="print a new id:base64key")
        generate.add_argument("key_id")
        sub.add_parser("status", help="data keys per master key; processes and their keys")
        sub.add_parser("rotate", help="rewrap data keys under the current master key")
        retire = sub.add_parser("retire", help="never wrap anything new under this key")
        retire.add_argument("key_id")
        unretire = sub.add_parser("unretire", help="undo a retirement")
        unretire.add_argument("key_id")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "generate":
            self.stdout.write(generate_master_key(options["key_id"]))
        elif action == "status":
            self._status()
        elif action == "rotate":
            self._rotate()
        elif action == "retire":
            key_id = options["key_id"]
            try:
                retired = services.retire_master_key(key_id=key_id)
            except services.KeyringRefusal as refusal:
                raise CommandError(str(refusal)) from None
            self.stdout.write(self.style.SUCCESS(
                f"Master key {key_id} is retired: nothing new is wrapped under it. Remove it "
                "from HAVEN_MASTER_KEYS everywhere once backups made with it have aged out."
                if retired else f"Master key {key_id} was already retired."))
        else:
            key_id = options["key_id"]
            undone = services.unretire_master_key(key_id=key_id)
            self.stdout.write(f"Master key {key_id} is no longer retired." if undone
                              else f"Master key {key_id} was not retired.")

    def _rotate(self) -> None:
        bar = tqdm(total=0, unit="key", desc="Rewrapping", disable=None)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            moved = services.rotate_master_keys(progress=progress)
        except services.KeyringRefusal as refusal:
            raise CommandError(str(refusal)) from None
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(
            f"{moved} data keys now wrapped by master key {master_keys().current_id}."))

    def _status(self) -> None:
        holders.forget_stopped()
        status = selectors.keyring_status(master_keys())
        out = self.stdout
        for key in status.keys:
            marks = [mark for mark, on in (
                ("current", key.here == "current"), ("retired", key.retired),
                ("not in HAVEN_MASTER_KEYS here", key.here == "missing" and key.data_keys > 0),
                ("HAVEN_MASTER_KEYS here holds a different key under this id", key.conflict),
            ) if on]
            label = f"{key.key_id} ({', '.join(marks)})" if marks else key.key_id
            line = f"{label}: {key.data_keys} data keys"
            if len(key.by_purpose) > 1:
                line += " (" + ", ".join(f"{purpose} {n}" for purpose, n
                                         in sorted(key.by_purpose.items())) + ")"
            out.write(line)
        out.write(f"shredded: {status.shredded} data keys")
        stale = f"{holders.STALE_AFTER_SECONDS:.0f} s"
        if not status.processes:
            out.write(f"processes: none besides this one seen in the last {stale}")
            return
        out.write(f"processes seen in the last {stale}, besides this one: "
                  f"{len(status.processes)}")
        now = timezone.now()
        for view in status.processes:
            holder = view.holder
            seen = max(0, round((now - holder.last_seen_at).total_seconds()))
            line = (f"  {holder.kind} on {holder.host} pid {holder.pid}, seen {seen} s ago: "
                    f"current {holder.current_key_id}; holds {', '.join(holder.held_ids)}")
            notes = []
            if not view.same_current:
                notes.append("another current key than this process: restart it with the "
                             "new key set before rotating")
            if view.conflicting:
                notes.append(f"a different key under id {holder.current_key_id} than the one "
                             "that wraps data")
            if view.lacking:
                notes.append(f"lacks {', '.join(view.lacking)}, which still wrap data")
            if notes:
                line += " — " + "; ".join(notes)
            out.write(line)
