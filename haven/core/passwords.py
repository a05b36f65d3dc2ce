"""How Haven hashes passwords: Argon2id as Django ships it, in one lane."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher as DjangosArgon2PasswordHasher


class Argon2PasswordHasher(DjangosArgon2PasswordHasher):
    """Django's Argon2id (100 MiB of memory, 2 passes) in one lane instead of eight.

    Lanes only let one hash use several CPUs at once; what a guess costs an attacker (memory
    and passes) is the same. With eight lanes, each sign-in took every CPU of a 2-CPU server for
    about 0.1 s, and every page being answered waited. With one lane it takes one CPU for about
    0.2 s, and the pages keep the other (docs/benchmarks.md, "Sign-in in one lane").

    A hash made with eight lanes still verifies. Django makes it again, in one lane, at its
    owner's next sign-in."""

    parallelism = 1
