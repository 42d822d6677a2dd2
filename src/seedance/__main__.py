"""`python -m seedance` runs the command line."""

from seedance.cli.main import main

main()
