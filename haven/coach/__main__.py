"""`python -m haven.coach score|evaluate|train|compare`: the same as `haven coach …`."""

import sys

from haven.coach.cli import main

sys.exit(main())
