import sys

from cockpit.entry import main

sys.exit(main())
