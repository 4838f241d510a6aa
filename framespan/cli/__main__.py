"""``python -m framespan.cli``: the command line, as torchrun and accelerate launch it."""

import sys

from . import main

sys.exit(main())
